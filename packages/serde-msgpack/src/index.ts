/** MessagePack serde for mc, on msgpackr. */
export const PACKAGE_NAME = '@mc/serde-msgpack';
