"""What make bench-io's and make bench-apps' tables share: medians over
rounds with their range and spread, performance ratios, number format,
and the CSV's sample columns. Standard library only."""
import statistics

TITLES = {"native": "native", "xenolith": "Xenolith", "xen": "Xen 4.17"}


def fmt(x, digits=3):
    if x is None:
        return "—"
    if abs(x) >= 100:
        return "%.0f" % x
    return ("%%.%dg" % digits) % x


def perf(higher, value, base):
    """value as a fraction of base's performance (>1: better than base);
    higher: whether larger values are better (rates, not times)."""
    if not value or not base:
        return None
    return value / base if higher else base / value


def medians(row, samples, configs, metric):
    """Fill row[c] (the median over rounds), c_n, c_min and c_max for each
    configuration with samples; row["spread"] is the largest
    (max-min)/median in percent, None with one round. False when no
    configuration has a sample."""
    spread = None
    for c in configs:
        vals = samples[c].get(metric, [])
        if not vals:
            continue
        med = statistics.median(vals)
        row[c], row[c + "_n"] = med, len(vals)
        row[c + "_min"], row[c + "_max"] = min(vals), max(vals)
        if len(vals) > 1 and med:
            spread = max(spread or 0.0, (max(vals) - min(vals)) / med * 100)
    row["spread"] = spread
    return any(c in row for c in configs)


def value_cells(row, configs):
    """Each configuration's median with its range when there were rounds."""
    return [fmt(row.get(c)) + (" (%s-%s)" % (fmt(row[c + "_min"]),
                                             fmt(row[c + "_max"]))
                               if row.get(c + "_n", 0) > 1 else "")
            for c in configs]


def csv_values(row, samples, configs, metric):
    """The CSV's medians, then every sample, per configuration."""
    return (["" if row.get(c) is None else "%.4g" % row[c] for c in configs] +
            [" ".join("%.4g" % v for v in samples[c].get(metric, []))
             for c in configs])


def csv_num(x):
    return "" if x is None else "%.4g" % x
