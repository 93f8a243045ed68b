"""The Python side of the interop test. Runs under Debian's /usr/bin/python3 with python3-pymemcache.

usage: pymemcache_peer.py write|read HOST PORT PREFIX
write: stores a str, bytes, an int, an int past 2**64 and a zlib-compressed str (as pymemcache 4's
       CompressedSerde writes it: serialize, zlib.compress, flags | 8).
read:  reads the same keys (written by mc) and prints them as JSON.
"""
import json
import sys
import zlib

from pymemcache.client.base import Client
from pymemcache import serde

FLAG_COMPRESSED = 1 << 3


class CompressedPickleSerde(object):
    """What pymemcache 4's CompressedSerde does on top of the default serde (3.5.2 does not ship it)."""

    def serialize(self, key, value):
        data, flags = serde.pickle_serde.serialize(key, value)
        packed = zlib.compress(data)
        if len(packed) < len(data):
            return packed, flags | FLAG_COMPRESSED
        return data, flags

    def deserialize(self, key, value, flags):
        if flags & FLAG_COMPRESSED:
            value = zlib.decompress(value)
            flags &= ~FLAG_COMPRESSED
        return serde.pickle_serde.deserialize(key, value, flags)


def main():
    mode, host, port, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    plain = Client((host, port), serde=serde.pickle_serde, key_prefix=prefix.encode())
    packed = Client((host, port), serde=CompressedPickleSerde(), key_prefix=prefix.encode())
    if mode == 'write':
        plain.set('str', 'héllo from python', noreply=False)
        plain.set('bytes', b'\x00\x01\xffraw', noreply=False)
        plain.set('int', 42, noreply=False)
        plain.set('bigint', 2 ** 64 + 5, noreply=False)
        packed.set('zlib', 'compress me ' * 200, noreply=False)
    else:
        out = {
            'str': plain.get('str'),
            'bytes': plain.get('bytes').hex(),
            'int': plain.get('int'),
            'bigint': str(plain.get('bigint')),
            'zlib': packed.get('zlib'),
        }
        print(json.dumps(out))


main()
