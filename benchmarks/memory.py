"Memory of the running process, as the benchmarks' workers read it."

def status_mib(*keys):
    "VmRSS (resident now) / VmHWM (resident high-water mark) of this process, MiB, from /proc/self/status."
    with open('/proc/self/status') as f:
        got = {l.split(':')[0]: int(l.split()[1]) / 1024 for l in f if l.startswith(keys)}
    return [got[k] for k in keys]
