#!/usr/bin/python3
# Copyright (c) 2026 The ovs-nvo3 authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""Reports of the two ovs-nvo3 benchmarks: medians, ratios and targets
from the raw runs.

  nvo3_bench_report.py userspace MACHINE.ENV OUTDIR
      utilities/nvo3-bench.sh: results.md, summary.json and bench.png (if
      matplotlib is there) in OUTDIR from OUTDIR/runs.csv.
  nvo3_bench_report.py kernel WORKDIR OUTDIR
      utilities/nvo3-bench-kernel.sh: runs.csv (with QEMU's CPU time
      added), summary.csv and results.md in OUTDIR from the guest's
      runs.csv and guest.env and the host's host.env and host-marks.txt in
      WORKDIR; prints the tables.
"""

import csv
import json
import os
import statistics
import sys

TYPES = ["none", "gre", "vxlan", "geneve", "nvgre", "stt"]
NAMES = {"none": "no tunnel", "gre": "GRE", "vxlan": "VXLAN",
         "geneve": "Geneve", "nvgre": "NVGRE", "stt": "STT",
         "wire": "wire (veth, no switch)"}
# The tunnels upstream Open vSwitch has of its own: the "best upstream
# tunnel" of a configuration is the fastest of them there.
UPSTREAM = ["gre", "vxlan", "geneve"]
# Rows of the userspace tables, in order: (kind, type).
USERSPACE_ROWS = [("tcp", "wire")] + [("tcp", t) for t in TYPES] \
    + [("gso", "stt")]


def read_env(path, missing_ok=False):
    """The KEY=VALUE lines of a file, as a dict."""
    try:
        with open(path) as f:
            return dict(line.rstrip("\n").split("=", 1) for line in f
                        if "=" in line)
    except OSError:
        if missing_ok:
            return {}
        raise


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def median(xs):
    return statistics.median(xs) if xs else None


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(x, spec="%.0f"):
    return "-" if x is None else spec % x


def value_range(xs, spec="%.0f"):
    """"min-max" of a list of numbers, "-" if it is empty."""
    return (spec + "-" + spec) % (min(xs), max(xs)) if xs else "-"


def group_runs(rows, key, metrics, first=None):
    """The runs grouped by key(row), each group a dict: 'runs', 'failed',
    what first(row) gives for its first run, then for each metric NAME ->
    function(row) a list NAME of the values of the successful runs (None
    leaves a run out) and their median NAME_med."""
    groups = {}
    for r in rows:
        p = groups.get(key(r))
        if p is None:
            p = groups[key(r)] = {"runs": 0, "failed": 0,
                                  **(first(r) if first else {}),
                                  **{m: [] for m in metrics}}
        p["runs"] += 1
        if r["ok"] != "1":
            p["failed"] += 1
            continue
        for m, get in metrics.items():
            v = get(r)
            if v is not None:
                p[m].append(v)
    for p in groups.values():
        for m in metrics:
            p[m + "_med"] = median(p[m])
    return groups


def write_text(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# --- The userspace benchmark (nvo3-bench.sh) ---------------------------------

def userspace_points(rows):
    """One point per (mtu, tso, kind, type, streams)."""
    def tcp(get):
        return lambda r: get(r) if r["kind"] != "udp" else None

    def udp(get):
        return lambda r: get(r) if r["kind"] == "udp" else None

    def number(field, conv=float):
        return lambda r: conv(r[field]) if r.get(field) else None

    points = group_runs(
        rows,
        lambda r: (int(r["mtu"]), r["tso"], r["kind"], r["type"],
                   int(r["streams"])),
        {"mbps": tcp(number("mbps")),
         "cpu": tcp(number("cpu_s_per_gb")),
         "pps": udp(number("rx_pps")),
         "us": udp(number("hv2_us_per_pkt")),
         "retr": tcp(number("retransmits", int)),
         "softseg": tcp(number("soft_seg_hv1", int)),
         "pushdrops": tcp(number("push_drops_hv1", int)),
         "vmpkts": tcp(number("vm1_pkts", int)),
         "perpkt": tcp(lambda r: int(r["uplink_pkts_hv1"]) / int(r["vm1_pkts"])
                       if r.get("uplink_pkts_hv1") and r.get("vm1_pkts")
                       and int(r["vm1_pkts"]) > 0 else None),
         "joined": tcp(number("reasm_completed_hv2", int)),
         "lost": tcp(number("reasm_lost_hv2", int))},
        first=lambda r: {"vm_mtu": int(r["vm_mtu"])})
    for p in points.values():
        p["mbps_range"] = [min(p["mbps"]), max(p["mbps"])] if p["mbps"] \
            else None
        p["pps_range"] = [min(p["pps"]), max(p["pps"])] if p["pps"] else None
    return points


def best_upstream(pt, mtu, tso, s):
    """The fastest of GRE, VXLAN and Geneve in one configuration, or None."""
    ps = [(t, pt(mtu, tso, "tcp", t, s)) for t in UPSTREAM]
    ps = [(t, p) for t, p in ps if p and p["mbps_med"]]
    if not ps:
        return None
    t, p = max(ps, key=lambda tp: tp[1]["mbps_med"])
    return dict(p, type=t)


def userspace_targets(pt, groups, udp, tunnel_tso):
    """The issues' targets, each from the points that decide it."""
    targets = []
    first = groups[0][0] if groups else 1500

    def target(name, value, ok, detail):
        targets.append({"target": name, "value": value, "met": ok,
                        "detail": detail})

    def med(p, k="mbps_med"):
        return p[k] if p and p.get(k) else None

    for s in (1, 4):
        stt = pt(first, "on", "tcp", "stt", s)
        none = pt(first, "on", "tcp", "none", s)
        if med(stt) and med(none):
            r = stt["mbps_med"] / none["mbps_med"]
            target(f"STT TSO on >= 0.95x no-tunnel throughput "
                   f"(MTU {first}, P{s})", r, r >= 0.95,
                   f"{stt['mbps_med']:.0f} / {none['mbps_med']:.0f}")
            if med(stt, "cpu_med") and med(none, "cpu_med"):
                r = stt["cpu_med"] / none["cpu_med"]
                target(f"STT TSO on <= 1.2x no-tunnel CPU/GB "
                       f"(MTU {first}, P{s}; issue 6)", r, r <= 1.2,
                       f"{stt['cpu_med']:.2f} / {none['cpu_med']:.2f}")
        if tunnel_tso:
            # Against upstream's own tunnels with TSO, same configuration.
            b = best_upstream(pt, first, "on", s)
            what = "the best upstream tunnel with TSO"
        else:
            # 3.1's tunnels cannot carry TSO: GRE at its best setting.
            gs = [pt(first, tso, "tcp", "gre", s) for tso in ("off", "on")]
            gs = [g for g in gs if med(g)]
            b = dict(max(gs, key=lambda g: g["mbps_med"]), type="gre") \
                if gs else None
            what = "GRE (this base's tunnels cannot carry TSO)"
        if med(stt) and b:
            r = stt["mbps_med"] / b["mbps_med"]
            target(f"STT TSO on >= 3x {what} (MTU {first}, P{s})",
                   r, r >= 3, f"{stt['mbps_med']:.0f} / "
                   f"{b['mbps_med']:.0f} ({NAMES[b['type']]})")
        stt = pt(first, "off", "tcp", "stt", s)
        none = pt(first, "off", "tcp", "none", s)
        if med(stt) and med(none):
            r = stt["mbps_med"] / none["mbps_med"]
            target(f"STT at VM MTU {stt['vm_mtu']}, TSO off, >= 0.9x no "
                   f"tunnel (MTU {first}, P{s})", r, r >= 0.9,
                   f"{stt['mbps_med']:.0f} / {none['mbps_med']:.0f}")
            if med(stt, "cpu_med") and med(none, "cpu_med"):
                r = stt["cpu_med"] / none["cpu_med"]
                target(f"STT at VM MTU {stt['vm_mtu']}, TSO off, <= 1.15x "
                       f"no-tunnel CPU/GB (MTU {first}, P{s})", r,
                       r <= 1.15,
                       f"{stt['cpu_med']:.2f} / {none['cpu_med']:.2f}")
    for mtu, tso, s in groups:
        nv, gre = pt(mtu, tso, "tcp", "nvgre", s), pt(mtu, tso, "tcp", "gre",
                                                      s)
        if med(nv) and med(gre):
            r = nv["mbps_med"] / gre["mbps_med"]
            target(f"NVGRE >= 0.95x GRE (MTU {mtu}, TSO {tso}, P{s})",
                   r, r >= 0.95,
                   f"{nv['mbps_med']:.0f} / {gre['mbps_med']:.0f}")
    for mtu, tso in sorted({(k[0], k[1]) for k in udp}):
        st, vx = pt(mtu, tso, "udp", "stt", 1), pt(mtu, tso, "udp", "vxlan",
                                                   1)
        if st and vx and st["pps_med"] and vx["pps_med"]:
            r = st["pps_med"] / vx["pps_med"]
            target(f"STT 64-byte pps >= 0.9x VXLAN (MTU {mtu}, TSO {tso}; "
                   f"issue 6)", r, r >= 0.9,
                   f"{st['pps_med']:.0f} / {vx['pps_med']:.0f}")
    return targets


def userspace_headline(pt, groups):
    """At the first MTU, each TSO setting and stream count: STT, the best
    upstream tunnel and the wire against no tunnel, STT against the best
    upstream tunnel, CPU per GB beside each."""
    rows = []
    first = groups[0][0] if groups else None
    for mtu, tso, s in groups:
        if mtu != first:
            continue
        none = pt(mtu, tso, "tcp", "none", s) or {}
        stt = pt(mtu, tso, "tcp", "stt", s) or {}
        wire = pt(mtu, tso, "tcp", "wire", s) or {}
        best = best_upstream(pt, mtu, tso, s) or {}

        def x(p, q, k="mbps_med"):
            return fmt(ratio(p.get(k), q.get(k)), "%.2fx")

        bestname = f"{NAMES[best['type']]} {x(best, none)}" if best else "-"
        rows.append(
            f"| TSO {tso}, P{s} | {fmt(none.get('mbps_med'))} | "
            f"{fmt(none.get('cpu_med'), '%.2f')} | "
            f"{x(stt, none)} | {fmt(stt.get('cpu_med'), '%.2f')} | "
            f"{bestname} | "
            f"{fmt(best.get('cpu_med'), '%.2f')} | {x(stt, best)} | "
            f"{x(wire, none)} |")
    if not rows:
        return []
    return [f"## Headline (underlay MTU {first})\n",
            "| configuration | no tunnel Mbit/s | CPU s/GB | STT x no "
            "tunnel | CPU s/GB | best upstream x no tunnel | CPU s/GB "
            "| STT x best upstream | wire x no tunnel |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"] + rows + [""]


def userspace_markdown(env, points, pt, groups, udp, targets, tunnel_tso):
    md = [f"# ovs-nvo3 tunnel benchmark, {env['date']}\n",
          f"Command: `{env['command'].strip()}`.  ",
          f"Machine: {env['nproc']} CPUs ({env['cpu']}), "
          f"{env['mem_gib']} GiB, Linux {env['kernel']}; {env['ovs']}; "
          f"{env['iperf3']}.  ",
          f"Load average at start {env['load_start']}, at end "
          f"{env.get('load_end', '?')} (other jobs share the machine: "
          f"compare ratios, not absolute numbers).  Runtime "
          f"{int(env.get('runtime_s', 0)) // 60} min "
          f"{int(env.get('runtime_s', 0)) % 60} s.\n",
          f"TCP: iperf3 vm1 -> vm2, {env['duration']} s per run, median "
          f"of {env['reps']} runs [min-max], Mbit/s received.  CPU: "
          "utime+stime of both ovs-vswitchd, seconds per 10^9 bytes "
          "received (the wire has no switch: no CPU figure).  Ratios are "
          "medians over the median of no tunnel and over that of the best "
          "upstream tunnel (the fastest of GRE, VXLAN and Geneve) in the "
          "same configuration (underlay MTU, userspace TSO, streams).  "
          + ("This base's own tunnels carry TSO (software segmentation, "
             "coverage counter netdev_soft_seg_good on 3.5, dp_packet_gso "
             "on 4.0): with TSO on, every "
             "tunnel's VMs send 64 kB TSO packets.\n" if tunnel_tso else
             "This base's own tunnels cannot carry TSO (no software "
             "segmentation): with TSO on, the VMs of GRE, VXLAN, "
             "Geneve and NVGRE run without offloads, and GRE stands for "
             "them.\n"),
          "hv1 soft-seg: TSO packets the sending switch segmented in "
          "software (coverage counter netdev_soft_seg_good on 3.5, "
          "dp_packet_gso on 4.0; empty where the base has no such "
          "counter); hv1 push drops: packets its tunnel push dropped "
          "(netdev_push_header_drops).  Medians per run; the counters are "
          "read right after each run and lag by up to a second.\n"]
    md += userspace_headline(pt, groups)
    for mtu, tso, s in groups:
        md.append(f"## Underlay MTU {mtu}, userspace TSO {tso}, "
                  f"{s} stream{'s' if s > 1 else ''}\n")
        base = pt(mtu, tso, "tcp", "none", s) or {}
        best = best_upstream(pt, mtu, tso, s) or {}
        if best:
            md.append(f"Best upstream tunnel here: {NAMES[best['type']]}, "
                      f"{best['mbps_med']:.0f} Mbit/s.\n")
        else:
            md.append("No upstream tunnel measured here.\n")
        md.append("| tunnel | VM MTU | Mbit/s | min-max | x no tunnel "
                  "| x best upstream | CPU s/GB | CPU x no tunnel "
                  "| retransmits | hv1 soft-seg | hv1 push drops |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for kind, t in USERSPACE_ROWS:
            p = pt(mtu, tso, kind, t, s)
            if not p:
                continue
            name = NAMES[t] + (", underlay without TSO" if kind == "gso"
                               else "")
            fail = f" ({p['failed']} failed)" if p["failed"] else ""
            md.append(
                f"| {name}{fail} | {p['vm_mtu']} | {fmt(p['mbps_med'])} | "
                f"{value_range(p['mbps'])} | "
                f"{fmt(ratio(p['mbps_med'], base.get('mbps_med')), '%.2fx')}"
                f" | "
                f"{fmt(ratio(p['mbps_med'], best.get('mbps_med')), '%.2fx')}"
                f" | {fmt(p['cpu_med'], '%.2f')} | "
                f"{fmt(ratio(p['cpu_med'], base.get('cpu_med')), '%.2fx')}"
                f" | {fmt(p['retr_med'])} | {fmt(p['softseg_med'])} | "
                f"{fmt(p['pushdrops_med'])} |")
        md.append("")

    md += userspace_packets(pt, groups)

    if udp:
        md.append("## 64-byte frames (UDP, 18-byte payload), receive path\n")
        md.append(f"iperf3 -u -l 18 -b {env['udp_rate']} for "
                  f"{env['pps_duration']} s; "
                  "pps = packets hv2's switch delivered to vm2 per second; "
                  "hv2 us/pkt = the receiving ovs-vswitchd's CPU per "
                  "delivered packet.\n")
        md.append("| tunnel | MTU | TSO | pps | min-max | x VXLAN "
                  "| hv2 us/pkt |")
        md.append("|---|---:|---|---:|---:|---:|---:|")
        for k in udp:
            p = points[k]
            vx = pt(k[0], k[1], "udp", "vxlan", 1) or {}
            md.append(f"| {NAMES[k[3]]} | {k[0]} | {k[1]} | "
                      f"{fmt(p['pps_med'])} | {value_range(p['pps'])} | "
                      f"{fmt(ratio(p['pps_med'], vx.get('pps_med')), '%.2fx')}"
                      f" | {fmt(p['us_med'], '%.2f')} |")
        md.append("")

    if targets:
        md.append("## Targets (issue 13; two kept from issue 6)\n")
        md.append("| target | ratio | medians | met |")
        md.append("|---|---:|---:|---|")
        for t in targets:
            md.append(f"| {t['target']} | {t['value']:.2f} | {t['detail']} "
                      f"| {'yes' if t['met'] else '**no**'} |")
        md.append("")
    md.append("Raw runs: `runs.csv`; medians: `summary.json`; plot: "
              "`bench.png`.")
    return md


def userspace_packets(pt, groups):
    """What the packet counters say: the section, or [] for a run that
    predates them."""
    md = ["## Packets per VM packet\n",
          "VM pkts: packets hv1's switch took from vm1; per VM pkt: the "
          "packets it sent out of its uplink for each, as the uplink's "
          "counters see them (TSO packets count as one; sends that the "
          "uplink's socket refused when full are counted nowhere, so no "
          "tunnel shows fewer than one under load); packet ops x no "
          "tunnel: (2 + 2 x per VM pkt) over the "
          "same for no tunnel, the packets both switches handle on the "
          "data path (vm1 in, uplink out, uplink in, vm2 out), which is "
          "what the CPU per GB follows where every packet costs about the "
          "same.  STT joined / lost: frames hv2 put together from several "
          "segments, and frames evicted or timed out plus segments "
          "dropped (`stt/reassembly-show`).  Medians of the runs.\n",
          "| MTU | TSO | streams | tunnel | VM pkts | per VM pkt "
          "| packet ops x no tunnel | CPU x no tunnel | STT joined "
          "| STT lost |",
          "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    rows = 0
    for mtu, tso, s in groups:
        base = pt(mtu, tso, "tcp", "none", s) or {}
        for kind, t in USERSPACE_ROWS:
            p = pt(mtu, tso, kind, t, s)
            if kind != "tcp" or not p or p.get("perpkt_med") is None:
                continue
            ops = (ratio(2 + 2 * p["perpkt_med"],
                         2 + 2 * base["perpkt_med"])
                   if base.get("perpkt_med") is not None else None)
            cpu = ratio(p["cpu_med"], base.get("cpu_med"))
            md.append(f"| {mtu} | {tso} | {s} | {NAMES[t]} | "
                      f"{fmt(p['vmpkts_med'])} | "
                      f"{fmt(p['perpkt_med'], '%.2f')} | "
                      f"{fmt(ops, '%.2fx')} | {fmt(cpu, '%.2fx')} | "
                      f"{fmt(p['joined_med'])} | {fmt(p['lost_med'])} |")
            rows += 1
    md.append("")
    return md if rows else []


def userspace_plot(path, env, pt, groups):
    """Throughput, its ratios to no tunnel and to the best upstream tunnel,
    and CPU per GB of every TCP point, as bars."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("nvo3-bench: no matplotlib, no plot", file=sys.stderr)
        return
    series = [r for r in USERSPACE_ROWS
              if any(pt(m, t, r[0], r[1], s) for m, t, s in groups)]
    colors = {"none": "#555555", "wire": "#e0a000", "gre": "#1f77b4",
              "vxlan": "#2ca02c", "geneve": "#9467bd", "nvgre": "#17becf",
              "stt": "#d62728"}
    fig, axes = plt.subplots(4, 1, figsize=(12, 12), sharex=True,
                             gridspec_kw={"height_ratios": [3, 2, 2, 2]})
    width = 0.8 / max(1, len(series))
    for i, (kind, t) in enumerate(series):
        cols = {k: [] for k in ("x", "y", "lo", "hi", "xn", "xb", "cpu",
                                "xc")}
        for j, (mtu, tso, s) in enumerate(groups):
            p = pt(mtu, tso, kind, t, s)
            if not p or p["mbps_med"] is None:
                continue
            base = pt(mtu, tso, "tcp", "none", s) or {}
            best = best_upstream(pt, mtu, tso, s) or {}
            x = j + (i - len(series) / 2 + 0.5) * width
            cols["x"].append(x)
            cols["y"].append(p["mbps_med"] / 1000)
            cols["lo"].append((p["mbps_med"] - p["mbps_range"][0]) / 1000)
            cols["hi"].append((p["mbps_range"][1] - p["mbps_med"]) / 1000)
            cols["xn"].append(ratio(p["mbps_med"], base.get("mbps_med")))
            cols["xb"].append(ratio(p["mbps_med"], best.get("mbps_med")))
            if p["cpu_med"]:
                cols["xc"].append(x)
                cols["cpu"].append(p["cpu_med"])
        if not cols["x"]:
            continue
        label = NAMES[t] + (" (underlay w/o TSO)" if kind == "gso" else "")
        style = {"color": colors[t], "hatch": "//" if kind == "gso" else None,
                 "edgecolor": "white" if kind == "gso" else None}
        axes[0].bar(cols["x"], cols["y"], width, yerr=[cols["lo"], cols["hi"]],
                    capsize=2, label=label, **style)
        for ax, key in ((axes[1], "xn"), (axes[2], "xb")):
            xs = [x for x, v in zip(cols["x"], cols[key]) if v is not None]
            vs = [v for v in cols[key] if v is not None]
            ax.bar(xs, vs, width, **style)
            for x, v in zip(xs, vs):
                ax.text(x, v, f"{v:.2f}", ha="center", va="bottom",
                        fontsize=5, rotation=90)
        axes[3].bar(cols["xc"], cols["cpu"], width, **style)
        for x, v in zip(cols["xc"], cols["cpu"]):
            axes[3].text(x, v, f"{v:.1f}", ha="center", va="bottom",
                         fontsize=5, rotation=90)
    axes[0].set_ylabel("Gbit/s (median, min-max)")
    axes[0].set_ylim(0, axes[0].get_ylim()[1] * 1.25)   # room for the legend
    axes[1].set_ylabel("x no tunnel")
    axes[2].set_ylabel("x best upstream\n(GRE/VXLAN/Geneve)")
    axes[3].set_ylabel("ovs-vswitchd CPU s / GB")
    for ax in axes[1:]:
        ax.set_ylim(0, ax.get_ylim()[1] * 1.15)      # room for the labels
    for ax in axes[1:3]:
        ax.axhline(1, color="black", linewidth=0.6)
    axes[3].set_xticks(range(len(groups)))
    axes[3].set_xticklabels(
        [f"MTU {m}\nTSO {t}\n{s} stream{'s' if s > 1 else ''}"
         for m, t, s in groups], fontsize=8)
    axes[0].legend(ncol=4, fontsize=8, loc="upper left")
    axes[0].set_title(f"ovs-nvo3: iperf3 between two VMs, {env['date']}, "
                      f"{env['ovs']} ({env['nproc']} CPUs, "
                      f"load {env['load_start'].split()[0]})", fontsize=10)
    for ax in axes:
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def userspace_report(machine_env, out):
    env = read_env(machine_env)
    points = userspace_points(read_csv(os.path.join(out, "runs.csv")))

    def pt(mtu, tso, kind, t, s):
        return points.get((mtu, tso, kind, t, s))

    groups = sorted({(k[0], k[1], k[4]) for k in points if k[2] == "tcp"},
                    key=lambda g: (g[0], g[1] == "on", g[2]))
    udp = sorted(k for k in points if k[2] == "udp")
    tunnel_tso = env.get("tunnel_tso") == "1"
    targets = userspace_targets(pt, groups, udp, tunnel_tso)
    write_text(os.path.join(out, "results.md"),
               userspace_markdown(env, points, pt, groups, udp, targets,
                                  tunnel_tso))
    lists = ("mbps", "cpu", "pps", "us", "retr", "softseg", "pushdrops",
             "vmpkts", "perpkt", "joined", "lost")
    summary = {"machine": env, "targets": targets, "points": [
        {"mtu": k[0], "tso": k[1], "kind": k[2], "type": k[3],
         "streams": k[4], **{f: v for f, v in p.items() if f not in lists}}
        for k, p in sorted(points.items())]}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    userspace_plot(os.path.join(out, "bench.png"), env, pt, groups)


# --- The kernel-datapath benchmark (nvo3-bench-kernel.sh) --------------------

KERNEL_STT_COUNTERS = ["tx_frames", "tx_gso_frames", "tx_segmented_sw",
                       "rx_frames", "rx_segments", "rx_gso_frames",
                       "reasm_frames", "rx_csum_partial"]

KERNEL_COLUMNS = """\
- Mbit/s: received by iperf3 in vm2 (median, min-max of the runs).
- CPU s/GB: busy jiffies of the whole guest (all vCPUs, /proc/stat: user,
  nice, system, irq, softirq, steal) during the run, per 10^9 bytes
  received.  Both switches, both VMs' TCP stacks and iperf3 are counted.
- QEMU s/GB: the host's view, utime + stime of the QEMU process (all
  threads) between marks the guest left just before and after iperf3.
- guest busy: busy jiffies over all jiffies during the run (100% = every
  vCPU busy: throughput is then CPU-bound).
- B/wire pkt: bytes per packet received on hv2's side of the wire (the
  underlay eth0; for no tunnel the direct veth dir0): packets are GSO
  packets of up to 64 kB, not MTU-sized frames (see below).
- VM MTU: unless --vm-mtu gave one for all, 1500 for no tunnel and STT
  (STT segments its frames itself), 1450 for GRE, VXLAN, Geneve and NVGRE
  (room for VXLAN's and Geneve's 50 bytes of outer headers inside the
  underlay's 1500; GRE and NVGRE need 42).
"""

KERNEL_STT_NOTE = """\
One STT encapsulation per large frame: tx_frames counts STT
frames (one per GSO packet from vm1, one outer IP/TCP/STT header each);
tx_gso_frames those longer than one underlay segment, handed down as outer
TCP GSO packets that plain TSO, in a NIC or in software, would cut into
segments of the underlay MTU.  Here the veth underlay takes them whole, so
each frame arrives as one segment (rx_segments = rx_frames) and nothing
goes through the reassembly table (reasm_frames counts frames put together
from several segments); rx_gso_frames are the received frames handed on as
GSO packets (inner payload longer than one MSS), rx_csum_partial those
whose inner checksum was left partial, as sent.  tx_segmented_sw counts
GSO packets the module had to cut up itself before encapsulating (none is
expected).
"""

KERNEL_OFFLOADS = """\
## Checksums and segmentation inside one guest

Every device here is a veth or an OVS internal port, with checksum, TSO
and GSO (including the GRE and UDP tunnel GSO types) on.  So the VMs' TCP
sends 64 kB GSO packets with a partial checksum; the kernel datapath
forwards them whole, the tunnel device encapsulates them whole (an outer
header on a 64 kB packet, inner checksum still partial), and the veths
carry them whole into hv2, which decapsulates and delivers them whole to
vm2's TCP, which accepts GSO packets.  Segmentation into MTU-sized frames
and the checksums would be done in software by the kernel at the last
device without those offloads; on this path there is none, so no packet
is ever segmented and no checksum is ever computed (the B/wire pkt column
shows the packet size).  What the ratios compare is the per-packet cost
of encapsulating and decapsulating 64 kB packets in each tunnel device
and of the datapath's flow lookups and upcalls, not per-segment costs: on
real NICs GRE, VXLAN and Geneve need the NIC's tunnel TSO and checksum
offload to match this, while STT's outer TCP header lets any NIC with
plain TSO segment it.  The VM MTU (1450 or 1500) only changes the MSS
here, and with it by 3.5% the number of segments per GSO packet.
"""


def md_table(head, rows):
    """A Markdown table with padded columns, the first left-aligned."""
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]

    def line(r):
        return "| " + " | ".join(
            str(x).ljust(w) if i == 0 else str(x).rjust(w)
            for i, (x, w) in enumerate(zip(r, widths))) + " |"

    sep = "|" + "|".join("-" * (w + 1) + ":" if i else ":" + "-" * (w + 1)
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), sep] + [line(r) for r in rows])


def add_qemu_cpu(rows, marks_path, host_hz):
    """Adds QEMU's CPU time over each run, from the host's readings of it
    (clock ticks, all threads) at the marks the guest left, to the rows."""
    marks = {}
    try:
        with open(marks_path) as f:
            for line in f:
                name, ticks, when = line.split()
                marks[name] = (int(ticks), float(when))
    except OSError:
        pass
    for r in rows:
        name = "%s-%s" % (r["type"], r["rep"])
        s, e = marks.get(name + ".start"), marks.get(name + ".end")
        r["qemu_cpu_s"] = r["qemu_cpu_s_per_gb"] = r["qemu_cpus_busy"] = ""
        if s and e and r["ok"] == "1" and int(r["bytes"]) > 0:
            cpu = (e[0] - s[0]) / host_hz
            r["qemu_cpu_s"] = "%.2f" % cpu
            r["qemu_cpu_s_per_gb"] = "%.3f" % (cpu / (int(r["bytes"]) / 1e9))
            if e[1] > s[1]:
                r["qemu_cpus_busy"] = "%.2f" % (cpu / (e[1] - s[1]))


def kernel_points(rows):
    """One point per tunnel type."""
    def number(field):
        return lambda r: float(r[field]) if r[field] else None

    return group_runs(
        rows, lambda r: r["type"],
        {"mbps": lambda r: float(r["mbps"]),
         "cpu": number("cpu_s_per_gb"),
         "busy": lambda r: (int(r["busy_jiffies"])
                            / max(1, int(r["total_jiffies"]))),
         "qcpu": number("qemu_cpu_s_per_gb"),
         "wire": lambda r: (int(r["wire_rx_bytes"]) / int(r["wire_rx_pkts"])
                            if r["wire_rx_pkts"] not in ("", "0") else None),
         "retr": lambda r: int(r["retransmits"])},
        first=lambda r: {"vm_mtu": r["vm_mtu"]})


def kernel_report(work, out):
    guest = read_env(os.path.join(work, "guest.env"), missing_ok=True)
    host = read_env(os.path.join(work, "host.env"), missing_ok=True)
    rows = read_csv(os.path.join(work, "runs.csv"))
    add_qemu_cpu(rows, os.path.join(work, "host-marks.txt"),
                 int(host.get("hz", "100")))
    write_csv(os.path.join(out, "runs.csv"), rows)

    pts = kernel_points(rows)
    base = pts.get("none", {})

    def x_none(p, k):
        return fmt(ratio(p[k + "_med"], base.get(k + "_med")), "%.2f")

    head = ["tunnel", "VM MTU", "Mbit/s", "min-max", "x none", "CPU s/GB",
            "x none", "QEMU s/GB", "x none", "guest busy", "B/wire pkt",
            "retr", "runs"]
    table = []
    summary = []
    for t in (t for t in TYPES if t in pts):
        p = pts[t]
        table.append([NAMES[t], p["vm_mtu"], fmt(p["mbps_med"]),
                      value_range(p["mbps"]), x_none(p, "mbps"),
                      fmt(p["cpu_med"], "%.2f"), x_none(p, "cpu"),
                      fmt(p["qcpu_med"], "%.2f"), x_none(p, "qcpu"),
                      fmt(p["busy_med"] and 100 * p["busy_med"], "%.0f%%"),
                      fmt(p["wire_med"]), fmt(p["retr_med"]),
                      "%d%s" % (p["runs"], " (%d failed)" % p["failed"]
                                if p["failed"] else "")])
        summary.append({"type": t, "vm_mtu": p["vm_mtu"],
                        "mbps_median": fmt(p["mbps_med"]),
                        "mbps_min": fmt(min(p["mbps"], default=None)),
                        "mbps_max": fmt(max(p["mbps"], default=None)),
                        "mbps_x_none": x_none(p, "mbps"),
                        "guest_cpu_s_per_gb": fmt(p["cpu_med"], "%.3f"),
                        "guest_cpu_x_none": x_none(p, "cpu"),
                        "qemu_cpu_s_per_gb": fmt(p["qcpu_med"], "%.3f"),
                        "qemu_cpu_x_none": x_none(p, "qcpu"),
                        "guest_busy": fmt(p["busy_med"], "%.3f"),
                        "bytes_per_wire_pkt": fmt(p["wire_med"]),
                        "runs": p["runs"], "failed": p["failed"]})
    write_csv(os.path.join(out, "summary.csv"), summary)

    stt_rows = []
    for r in rows:
        if r["type"] != "stt" or r["ok"] != "1":
            continue
        v = {k: int(r["stt_" + k] or 0) for k in KERNEL_STT_COUNTERS}
        per = (int(r["wire_rx_bytes"]) / v["rx_frames"]
               if v["rx_frames"] else None)
        stt_rows.append(["run %s" % r["rep"]]
                        + [v[k] for k in KERNEL_STT_COUNTERS] + [fmt(per)])

    md = ["# Kernel-datapath tunnel benchmark, %s\n" % host.get("stamp", ""),
          "`utilities/nvo3-bench-kernel.sh %s`: one QEMU guest (TCG "
          "software emulation, %s vCPUs, %s MiB), two hypervisors on the "
          "Linux kernel datapath, iperf3 TCP vm1 -> vm2, 1 stream, %s s per "
          "run, %s run(s) per type (round-robin over the types), medians.\n"
          % (host.get("args", ""), guest.get("cpus", "?"),
             host.get("mem", "?"), guest.get("duration", "?"),
             guest.get("reps", "?")),
          "**Absolute numbers under TCG emulation mean nothing**: every "
          "instruction of both switches, both VMs and iperf3 is emulated, "
          "and the host's cores are shared.  Read the ratios to no tunnel, "
          "which come from the same guest in the same run.\n",
          md_table(head, table) + "\n",
          KERNEL_COLUMNS]
    if stt_rows:
        md += ["## STT counters (ethtool -S stt_sys_7471)\n",
               "Per STT run, deltas over the iperf3 run: tx_* on hv1 (the "
               "sender), rx_* and reasm_* on hv2 (the receiver); the last "
               "column is hv2's underlay bytes per STT frame received.\n",
               md_table(["run"] + KERNEL_STT_COUNTERS + ["B/frame"],
                        stt_rows) + "\n",
               KERNEL_STT_NOTE]
    md += [KERNEL_OFFLOADS,
           "## Machine\n",
           "- Host: %s CPUs, %s, Linux %s, load average %s at the start and "
           "%s at the end" % (host.get("nproc", "?"),
                              host.get("cpu_model", "?"),
                              host.get("host_kernel", "?"),
                              host.get("load_start", "?"),
                              host.get("load_end", "?")),
           "- Guest: Linux %s, %s vCPUs, %s, %s" % (
               guest.get("kernel", "?"), guest.get("cpus", "?"),
               guest.get("ovs", "?"), guest.get("iperf3", "?")),
           "- Guest run: %s s wall time for the whole guest (boot included)\n"
           % host.get("guest_seconds", "?")]
    write_text(os.path.join(out, "results.md"), md)
    print(md_table(head, table))
    if stt_rows:
        print()
        print(md_table(["STT run"] + KERNEL_STT_COUNTERS + ["B/frame"],
                       stt_rows))


def main(argv):
    if len(argv) != 3 or argv[0] not in ("userspace", "kernel"):
        sys.exit(__doc__)
    kind, data, out = argv
    os.makedirs(out, exist_ok=True)
    if kind == "userspace":
        userspace_report(data, out)
    else:
        kernel_report(data, out)


if __name__ == "__main__":
    main(sys.argv[1:])
