"""The Python side of the pickle interop test (tests/interop/pickle.test.ts).

Runs under Debian's /usr/bin/python3 with python3-pymemcache. Every mode prints one JSON document.

usage:
  pickle_peer.py vectors                     {name: [hex of pickle.dumps(CASES[name], p) for p in 0..5]}
  pickle_peer.py check < {name: [hex...]}     {name: [None or the first difference, per pickle]}
  pickle_peer.py mc-write HOST PORT PREFIX   stores every case with pymemcache at every pickle_version
                                             (key PREFIX + "p<version>:" + name), with the default
                                             serde (PREFIX + "default:" + name) and compressed as
                                             pymemcache 4 does (PREFIX + "zlib:" + name); prints the
                                             versions
  pickle_peer.py mc-read HOST PORT PREFIX < [name...]
                                             reads PREFIX + name with pymemcache's pickle_serde and
                                             prints {name: [flags, None or the first difference]}
"""
import json
import math
import pickle
import sys
import zlib

from pymemcache import serde
from pymemcache.client.base import Client


def deep(n):
    value = []
    for _ in range(n):
        value = [value]
    return value


SHARED = [1, 2]

CASES = {
    'none': None,
    'true': True,
    'false': False,
    'int_small': 7,
    'int_neg': -1,
    'int_byte': 255,
    'int_16': 65535,
    'int_min32': -2 ** 31,
    'int_2_31': 2 ** 31,
    'int_safe': 2 ** 53 - 1,
    'int_unsafe': 2 ** 53,
    'int_neg_big': -(2 ** 64) - 1,
    'int_huge': 10 ** 100,
    'float': 1.5,
    'float_neg_zero': -0.0,
    'float_int': 3.0,
    'float_tiny': 5e-324,
    'float_big': 1e300,
    'float_unsafe_int': 2.0 ** 60,
    'float_inf': math.inf,
    'float_ninf': -math.inf,
    'float_nan': math.nan,
    'str': 'héllo €',
    'str_empty': '',
    'str_emoji': '😀',
    'str_ctrl': 'a\\b\n\r\x00\x1a "\'',
    'str_long': 'x' * 300 + 'é',
    'surrogate_in_list': ['\ud800x'],
    'bytes': b'\x00\xff\n',
    'bytes_empty': b'',
    'bytes_long': bytes(range(256)) * 2,
    'bytearray': bytearray(b'\x01\x02'),
    'bytearray_empty': bytearray(),
    'list': [1, 'a', None],
    'list_empty': [],
    'list_long': list(range(1500)),
    'tuple': (1, 2),
    'tuple_empty': (),
    'tuple1': ('x',),
    'tuple4': (1, 2, 3, 4),
    'dict': {'a': 1, 'b': [True, None]},
    'dict_empty': {},
    'dict_long': {'k%d' % i: i for i in range(1200)},
    'dict_numeric_str_keys': {'b': 1, '10': 2, '2': 3},
    'dict_int_keys': {1: 'one', 2: 'two'},
    'dict_mixed_keys': {'a': 1, 2: 'b', (1, 'x'): None, None: 0, b'k': 1.5, frozenset([1]): 2},
    'dict_proto': {'__proto__': {'polluted': True}, 'constructor': 1},
    'set': {1, 'a', (1, 2)},
    'set_empty': set(),
    'frozenset': frozenset({1, 2}),
    'frozenset_empty': frozenset(),
    'set_of_frozensets': {frozenset({1})},
    'nested': {'users': [{'id': 1, 'tags': ('a', 'b'), 'score': 9.5}], 'meta': {'n': 2 ** 70}},
    'shared': [SHARED, SHARED],
    'deep': deep(50),
}


def difference(a, b, path='$'):
    """The first difference between two values, types included (1, 1.0 and True differ); None if none."""
    if type(a) is not type(b):
        return '%s: %s vs %s' % (path, type(a).__name__, type(b).__name__)
    if isinstance(a, float):
        if math.isnan(a) and math.isnan(b):
            return None
        if a == b and math.copysign(1, a) == math.copysign(1, b):
            return None
        return '%s: %r vs %r' % (path, a, b)
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return '%s: length %d vs %d' % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = difference(x, y, '%s[%d]' % (path, i))
            if d:
                return d
        return None
    if isinstance(a, dict):
        ka = {repr(k): k for k in a}
        kb = {repr(k): k for k in b}
        if set(ka) != set(kb):
            return '%s: keys %s vs %s' % (path, sorted(ka), sorted(kb))
        for r, k in ka.items():
            d = difference(k, kb[r], '%s key %s' % (path, r)) or difference(a[k], b[kb[r]], '%s[%s]' % (path, r))
            if d:
                return d
        return None
    if isinstance(a, (set, frozenset)):
        if sorted(map(repr, a)) != sorted(map(repr, b)):
            return '%s: %r vs %r' % (path, a, b)
        return None
    return None if a == b else '%s: %r vs %r' % (path, a, b)


def check_one(name, data):
    try:
        return difference(pickle.loads(data), CASES[name])
    except Exception as exc:  # reported, not raised: the test shows which case failed
        return 'pickle.loads raised %r' % (exc,)


class CompressedPickleSerde(object):
    """pymemcache 4's serde.CompressedSerde over pickle_serde (Debian 12 ships pymemcache 3.5.2, without
    it): zlib-compress a serialized value of more than 400 bytes when that does not make it longer,
    and add FLAG_COMPRESSED (8) to its flags."""

    def serialize(self, key, value):
        value, flags = serde.pickle_serde.serialize(key, value)
        if len(value) > 400:
            packed = zlib.compress(value)
            if len(packed) <= len(value):
                return packed, flags | 8
        return value, flags

    def deserialize(self, key, value, flags):
        if flags & 8:
            value = zlib.decompress(value)
        return serde.pickle_serde.deserialize(key, value, flags & ~8)


class FlagsSerde(object):
    """pymemcache's pickle_serde, but also returns the flags the item was stored with."""

    def serialize(self, key, value):
        return serde.pickle_serde.serialize(key, value)

    def deserialize(self, key, value, flags):
        return flags, serde.python_memcache_deserializer(key, value, flags)


def main(argv):
    mode = argv[1]
    if mode == 'vectors':
        out = {name: [pickle.dumps(v, p).hex() for p in range(6)] for name, v in CASES.items()}
    elif mode == 'check':
        todo = json.load(sys.stdin)
        out = {name: [check_one(name, bytes.fromhex(h)) for h in hexes] for name, hexes in todo.items()}
    elif mode == 'mc-write':
        host, port, prefix = argv[2], int(argv[3]), argv[4]
        for version in range(6):
            client = Client((host, port), serde=serde.PickleSerde(pickle_version=version))
            client.set_many({prefix + 'p%d:%s' % (version, k): v for k, v in CASES.items()}, noreply=False)
            client.close()
        client = Client((host, port), serde=serde.pickle_serde)
        client.set_many({prefix + 'default:' + k: v for k, v in CASES.items()}, noreply=False)
        client.close()
        client = Client((host, port), serde=CompressedPickleSerde())
        client.set_many({prefix + 'zlib:' + k: v for k, v in CASES.items()}, noreply=False)
        client.close()
        out = {'default_pickle_version': serde.DEFAULT_PICKLE_VERSION, 'highest': pickle.HIGHEST_PROTOCOL}
    elif mode == 'mc-read':
        host, port, prefix = argv[2], int(argv[3]), argv[4]
        names = json.load(sys.stdin)
        client = Client((host, port), serde=FlagsSerde())
        got = client.get_many([prefix + n for n in names])
        client.close()
        out = {}
        for n in names:
            if prefix + n not in got:
                out[n] = [None, 'missing']
            else:
                flags, value = got[prefix + n]
                out[n] = [flags, difference(value, CASES[n])]
    else:
        raise SystemExit('unknown mode ' + mode)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main(sys.argv)
