#!/usr/bin/env python3
"""Lists functions over 80 lines and files over 500 lines under Sources (the house rule of issue 13)."""
import glob, re, sys
bad = 0
for path in sorted(glob.glob('Sources/**/*.swift', recursive=True)):
    lines = open(path).read().split('\n')
    if len(lines) > 500:
        print(f'{path}: {len(lines)} lines'); bad += 1
    for i, line in enumerate(lines):
        if not re.match(r'\s*(@\w+\s+)*((public|private|fileprivate|internal|package|static|mutating|override|final|@inline\(__always\))\s+)*(func|init[?!]?)\b', line):
            continue
        depth, started = 0, False
        for j in range(i, len(lines)):
            depth += lines[j].count('{') - lines[j].count('}')
            started = started or '{' in lines[j]
            if started and depth <= 0:
                break
        if j - i + 1 > 80:
            print(f'{path}:{i + 1}: {j - i + 1} lines: {line.strip()[:70]}'); bad += 1
sys.exit(1 if bad else 0)
