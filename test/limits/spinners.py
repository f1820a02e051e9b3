# spinners.py N SECONDS: forks N spinners that keep CPUs busy until a common deadline, then
# prints the CPU share they got over that window alone (the children's CPU time over its wall
# time). The interpreter's start-up, slow and I/O-bound on a loaded host or under TCG, is not
# in the measurement, so a CPU limit is measured where it binds.
import os
import sys
import time

count, seconds = int(sys.argv[1]), float(sys.argv[2])
start = time.time()
end = start + seconds
children = []
for _ in range(count):
    pid = os.fork()
    if pid == 0:
        while time.time() < end:
            pass
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
times = os.times()
print(f"{(times.children_user + times.children_system) / (time.time() - start):.4f}")
