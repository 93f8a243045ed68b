"""The Python side of the interop test. Runs under Debian's /usr/bin/python3 with python3-pymemcache.

usage: pymemcache_peer.py write|read HOST PORT PREFIX
write: stores the values of VALUES with pymemcache's own serde (pickle_serde, whose serializer is
       python_memcache_serializer), the compressed ones through CompressedSerde.
read:  reads every key of VALUES (written by mc) and prints {key: [type, value]} as JSON, with bytes
       as hex and ints as decimal strings so nothing is lost on the way.
"""
import json
import sys
import zlib

from pymemcache import serde
from pymemcache.client.base import Client

FLAG_COMPRESSED = 1 << 3


class CompressedSerdeAsInPymemcache4(object):
    """What pymemcache 4's serde.CompressedSerde does, for pymemcache 3 (Debian 12 ships 3.5.2).

    Compress with zlib.compress when the serialized value is longer than min_compress_len; keep
    the compressed bytes unless they are longer; mark them with FLAG_COMPRESSED. Reading
    decompresses and passes the flags on unchanged.
    """

    def __init__(self, serde=serde.pickle_serde, min_compress_len=400):
        self._serde = serde
        self._min_compress_len = min_compress_len

    def serialize(self, key, value):
        value, flags = self._serde.serialize(key, value)
        if len(value) > self._min_compress_len > 0:
            packed = zlib.compress(value)
            if len(packed) <= len(value):
                return packed, flags | FLAG_COMPRESSED
        return value, flags

    def deserialize(self, key, value, flags):
        if flags & FLAG_COMPRESSED:
            value = zlib.decompress(value)
        return self._serde.deserialize(key, value, flags)


CompressedSerde = getattr(serde, 'CompressedSerde', CompressedSerdeAsInPymemcache4)

# key -> value; the zlib_* keys go through CompressedSerde.
VALUES = {
    'str': 'héllo from python',
    'bytes': b'\x00\x01\xffraw',
    'int': 42,
    'negative': -17,
    'bigint': 2 ** 64 + 5,
    'zlib_str': 'compress me ' * 200,
    'zlib_bytes': b'\x07' * 1000,
}


def describe(value):
    if isinstance(value, bytes):
        return ['bytes', value.hex()]
    if isinstance(value, bool) or value is None:
        return [type(value).__name__, value]
    if isinstance(value, int):
        return ['int', str(value)]
    if isinstance(value, str):
        return ['str', value]
    return [type(value).__name__, repr(value)]


def main():
    mode, host, port, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    client = Client((host, port), serde=CompressedSerde(), key_prefix=prefix.encode())
    if mode == 'write':
        for key, value in VALUES.items():
            client.set(key, value, noreply=False)
        # mc cannot read pickles: the test checks it says so by name.
        client.set('pickle', {'a': 1}, noreply=False)
        print(CompressedSerde.__name__)
    else:
        keys = list(VALUES) + ['json']
        print(json.dumps({key: describe(client.get(key)) for key in keys}))


main()
