/**
 * Constants of memcached's binary protocol (the "Binary Protocol Revamped" document and memcached's
 * protocol_binary.h). Every packet starts with a 24-byte header; numbers are big-endian.
 */

/** Size of the fixed header of every request and response. */
export const BINARY_HEADER_LENGTH = 24;
/** First byte of a request. */
export const MAGIC_REQUEST = 0x80;
/** First byte of a response. */
export const MAGIC_RESPONSE = 0x81;
/** The only data type memcached defines: raw bytes. */
export const DATA_TYPE_RAW = 0x00;

/** Command opcodes. The Q variants are quiet: they answer only on error (GetQ/GetKQ: only on a hit). */
export const Opcode = {
  Get: 0x00,
  Set: 0x01,
  Add: 0x02,
  Replace: 0x03,
  Delete: 0x04,
  Increment: 0x05,
  Decrement: 0x06,
  Quit: 0x07,
  Flush: 0x08,
  GetQ: 0x09,
  Noop: 0x0a,
  Version: 0x0b,
  GetK: 0x0c,
  GetKQ: 0x0d,
  Append: 0x0e,
  Prepend: 0x0f,
  Stat: 0x10,
  SetQ: 0x11,
  AddQ: 0x12,
  ReplaceQ: 0x13,
  DeleteQ: 0x14,
  IncrementQ: 0x15,
  DecrementQ: 0x16,
  QuitQ: 0x17,
  FlushQ: 0x18,
  AppendQ: 0x19,
  PrependQ: 0x1a,
  Verbosity: 0x1b,
  Touch: 0x1c,
  Gat: 0x1d,
  GatQ: 0x1e,
  SaslListMechs: 0x20,
  SaslAuth: 0x21,
  SaslStep: 0x22,
  GatK: 0x23,
  GatKQ: 0x24,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Response status codes (the header's vbucket field in a response). */
export const Status = {
  NoError: 0x0000,
  KeyNotFound: 0x0001,
  KeyExists: 0x0002,
  ValueTooLarge: 0x0003,
  InvalidArguments: 0x0004,
  ItemNotStored: 0x0005,
  NonNumericValue: 0x0006,
  WrongVbucket: 0x0007,
  AuthError: 0x0020,
  AuthContinue: 0x0021,
  UnknownCommand: 0x0081,
  OutOfMemory: 0x0082,
  NotSupported: 0x0083,
  InternalError: 0x0084,
  Busy: 0x0085,
  TemporaryFailure: 0x0086,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** Storage commands that take flags and an expiry (extras of 8 bytes). */
export type BinaryStoreOpcode =
  | typeof Opcode.Set
  | typeof Opcode.Add
  | typeof Opcode.Replace
  | typeof Opcode.SetQ
  | typeof Opcode.AddQ
  | typeof Opcode.ReplaceQ;

/** Storage commands that take no extras (the item keeps its flags and expiry). */
export type BinaryConcatOpcode =
  | typeof Opcode.Append
  | typeof Opcode.Prepend
  | typeof Opcode.AppendQ
  | typeof Opcode.PrependQ;

export type BinaryArithOpcode =
  | typeof Opcode.Increment
  | typeof Opcode.Decrement
  | typeof Opcode.IncrementQ
  | typeof Opcode.DecrementQ;

export type BinaryGetOpcode =
  | typeof Opcode.Get
  | typeof Opcode.GetQ
  | typeof Opcode.GetK
  | typeof Opcode.GetKQ;
export type BinaryGatOpcode =
  | typeof Opcode.Gat
  | typeof Opcode.GatQ
  | typeof Opcode.GatK
  | typeof Opcode.GatKQ;

const QUIET_OF: Readonly<Record<number, number>> = {
  [Opcode.Get]: Opcode.GetQ,
  [Opcode.GetK]: Opcode.GetKQ,
  [Opcode.Set]: Opcode.SetQ,
  [Opcode.Add]: Opcode.AddQ,
  [Opcode.Replace]: Opcode.ReplaceQ,
  [Opcode.Delete]: Opcode.DeleteQ,
  [Opcode.Increment]: Opcode.IncrementQ,
  [Opcode.Decrement]: Opcode.DecrementQ,
  [Opcode.Quit]: Opcode.QuitQ,
  [Opcode.Flush]: Opcode.FlushQ,
  [Opcode.Append]: Opcode.AppendQ,
  [Opcode.Prepend]: Opcode.PrependQ,
  [Opcode.Gat]: Opcode.GatQ,
  [Opcode.GatK]: Opcode.GatKQ,
};

/** The quiet variant of an opcode, or undefined when it has none (touch, stat, version, ...). */
export function quietOpcode(opcode: number): number | undefined {
  return QUIET_OF[opcode];
}

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Opcode).map(([name, code]) => [code, name]),
);

/** A readable name for an opcode, for messages ('Get', 'SaslAuth', or '0x42'). */
export function opcodeName(opcode: number): string {
  return NAMES[opcode] ?? `0x${opcode.toString(16).padStart(2, '0')}`;
}
