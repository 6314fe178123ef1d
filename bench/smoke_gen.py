"""Write a ~SIZE_MB MB CSV of 10 columns for the smoke benchmark: a 4 MB block of
random rows, repeated with the id column shifted so every id is unique."""
import random
import sys

path, size_mb = sys.argv[1], int(sys.argv[2])
random.seed(11)
countries = ["DE", "FR", "IT", "ES", "NL"]
cats = ["a", "b", "c"]
block = []
n = 0
size = 0
while size < 4 << 20:
    ratio = "" if random.random() < 0.01 else "%.4f" % random.random()
    block.append((n, "%.2f" % random.uniform(0, 5000), random.choice(countries),
                  "2026-%02d-%02d" % (random.randint(1, 12), random.randint(1, 28)),
                  "%.6f" % random.random(), random.choice(["true", "false"]),
                  "".join(random.choice("abcdefghij") for _ in range(8)),
                  str(random.randint(0, 1000)), ratio, random.choice(cats)))
    size += sum(len(x) for x in block[-1][1:]) + 16
    n += 1
with open(path, "w", newline="") as f:
    f.write("id,amount,country,day,score,flag,name,count,ratio,category\n")
    written, rep = 0, 0
    while written < size_mb << 20:
        text = "".join("%d,%s\n" % (r[0] + rep * n, ",".join(r[1:])) for r in block)
        f.write(text)
        written += len(text)
        rep += 1
