# Local: per-op instruction counts from one callgrind dump of local/icount.sh (see there).
# python3 icount-report.py <callgrind dump> <ops in it> [top]
import bisect, re, subprocess, sys

def functions(path):
    """Instructions per function; JIT code named through /tmp/perf-<pid>.map."""
    pid = re.search(r'^pid: (\d+)', open(path).read(4000), re.M).group(1)
    ents = []
    try:
        for line in open(f'/tmp/perf-{pid}.map'):
            a, s, name = line.rstrip('\n').split(' ', 2)
            ents.append((int(a, 16), int(s, 16), re.sub(r'^(JS:|LazyCompile:)', '', name)))
    except FileNotFoundError:
        pass
    ents.sort()
    starts = [e[0] for e in ents]
    out = subprocess.run(['callgrind_annotate', '--threshold=100', path], capture_output=True, text=True).stdout
    d = {}
    for line in out.splitlines():
        m = re.match(r'^\s*([\d,]+)\s+(\(\s*[\d.]+%\)\s+)?(.*)$', line)
        if not m or ':' not in m.group(3) or 'PROGRAM TOTALS' in line:
            continue
        name = re.sub(r'\s*\[.*\]$', '', m.group(3)).strip()
        hit = re.match(r'\?\?\?:0x([0-9a-f]+)$', name)
        if hit:
            a = int(hit.group(1), 16)
            i = bisect.bisect_right(starts, a) - 1
            name = 'JIT ' + (ents[i][2] if i >= 0 and a < ents[i][0] + ents[i][1] else '?')
        d[name] = d.get(name, 0) + int(m.group(1).replace(',', ''))
    return d

def total(path):
    m = re.search(r'^summary: (\d+)', open(path).read(), re.M) or re.search(r'^totals: (\d+)', open(path).read(), re.M)
    return int(m.group(1))

path, ops = sys.argv[1], int(sys.argv[2])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
per = {k: v / ops for k, v in functions(path).items()}
# 'JIT ?' (addresses outside the perf map) is not counted: in a dump taken mid-run callgrind_annotate
# lists the frames still on the stack (main, the event loop) there, inclusive.
jit = sum(v for k, v in per.items() if k.startswith('JIT ') and k != 'JIT ?')
# The client's own JavaScript: files loaded by URL (node's own are node:…), the harness excepted.
ours = sum(v for k, v in per.items() if k.startswith('JIT ') and 'file://' in k and '/local/' not in k)
print(f'instructions per op: {total(path) / ops:.0f} (JIT code {jit:.0f}, of which the client\'s own {ours:.0f})')
# Frames on the stack when the dump was taken are listed inclusive: not functions' own cost.
FRAMES = re.compile(r'JIT \?$|libc-start|below main|:main$|NodeMainInstance|SpinEventLoop|node::Start|clone\.S|start_thread')
for k, v in sorted(((k, v) for k, v in per.items() if not FRAMES.search(k)), key=lambda x: -x[1])[:top]:
    print(f'{v:8.0f}  {k[:120]}')
