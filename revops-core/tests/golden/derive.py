#!/usr/bin/env python3
"""Derives the golden vectors of revops-core/tests/golden independently of the
Rust code: exact fractions (fractions.Fraction), calendar from datetime, the
rules of DESIGN.md ("Rounding", "Revenue recognition") and of the golden
README written out plainly. Nothing here reads production output.

    python3 derive.py [DIR]

writes one JSON file per case into DIR (default: this script's directory).
Review the diff of the JSON files before committing it."""
import calendar, json, os, sys
from datetime import date, timedelta
from fractions import Fraction as F

PLACES = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "BHD": 3}
ONE = timedelta(days=1)

def D(s): return date.fromisoformat(s)

def to_minor(s, cur):
    v = F(s) * 10 ** PLACES[cur]
    assert v.denominator == 1, (s, cur)
    return int(v)

def fmt(minor, cur):
    p = PLACES[cur]
    sign = "-" if minor < 0 else ""
    m = abs(minor)
    if p == 0:
        return f"{sign}{m}"
    return f"{sign}{m // 10**p}.{m % 10**p:0{p}d}"

def round_int(x, mode):
    """Round a Fraction to an integer: half_up = half away from zero."""
    sign = -1 if x < 0 else 1
    a = abs(x)
    q, r = divmod(a.numerator, a.denominator)
    r = F(r, a.denominator)
    if r > F(1, 2) or (r == F(1, 2) and (mode == "half_up" or q % 2 == 1)):
        q += 1
    return sign * q

def trunc(x):
    sign = -1 if x < 0 else 1
    a = abs(x)
    return sign * (a.numerator // a.denominator)

def allocate(total, weights):
    """Parallel parts: round down, leftover by largest remainder, ties later."""
    W = sum(weights)
    assert W > 0
    sign = -1 if total < 0 else 1
    T = abs(total)
    exact = [F(T) * w / W for w in weights]
    parts = [trunc(e) for e in exact]
    rem = [e - p for e, p in zip(exact, parts)]
    left = T - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (rem[i], i), reverse=True)
    for i in order[:left]:
        parts[i] += 1
    return [sign * p for p in parts]

def spread(total, weights, rule):
    W = sum(weights)
    out = []
    if rule == "remainder_last":
        for w in weights[:-1]:
            out.append(trunc(F(total) * w / W))
        out.append(total - sum(out))
        return out
    cum, prev = F(0), 0
    for w in weights:
        cum += w
        to_date = round_int(F(total) * cum / W, rule)
        out.append(to_date - prev)
        prev = to_date
    assert prev == total
    return out

def dim(d): return calendar.monthrange(d.year, d.month)[1]

def first_of_month(d): return date(d.year, d.month, 1)

def periods(start, end):
    """One period per calendar month, cut to [start, end]."""
    out, s = [], start
    while s <= end:
        e = min(date(s.year, s.month, dim(s)), end)
        out.append((s, e))
        s = e + ONE
    return out

def weight(p, basis):
    days = (p[1] - p[0]).days + 1
    return F(days, dim(p[0])) if basis == "monthly" else F(days)

def ratable(total, start, end, basis, rule):
    ps = periods(start, end)
    return [(s, e, a) for (s, e), a in zip(ps, spread(total, [weight(p, basis) for p in ps], rule))]

def rule_of(settings):
    sp = settings["spread"]
    return "remainder_last" if sp == "remainder_last" else sp["cumulative"]

def line_period(c, l):
    return D(l.get("start_date", c["start_date"])), D(l.get("end_date", c["end_date"]))

VARIABLE = ("time_and_materials", "usage")

def recognize(case):
    c = case["contract"]
    cur = c["currency"]
    perf = case.get("performance", {})
    settings = case.get("settings", {"spread": {"cumulative": "half_up"}, "extension": "half_up"})
    rule, ext = rule_of(settings), settings["extension"]
    lines = c["lines"]
    fixed = [l for l in lines if l["recognition"]["method"] not in VARIABLE]
    tp = sum(to_minor(l.get("price", "0"), cur) for l in fixed)
    if len(fixed) == 1:
        alloc = [tp]
    elif fixed:
        alloc = allocate(tp, [F(l.get("ssp", l.get("price", "0"))) for l in fixed])
    allocated = {l["line"]: a for l, a in zip(fixed, alloc)} if fixed else {}

    entries, totals = [], {}
    # (effective date, line, change of the line's total) per modification:
    # totals as of a date before the effective date leave the change out.
    changes = []
    mods = case.get("modifications", [])
    for l in lines:
        lid, method = l["line"], l["recognition"]["method"]
        start, end = line_period(c, l)
        rows = []
        if method == "ratable":
            basis = l["recognition"].get("basis", "monthly")
            amount = allocated[lid]
            if not mods:
                rows = [(s, e, a, "recognition") for s, e, a in ratable(amount, start, end, basis, rule)]
                totals[lid] = amount
            else:
                # One amendment of this line's price (the only shape used here).
                (m,) = mods
                (ch,) = m["changes"]
                assert ch["change"] == "amend" and ch["line"] == lid and len(lines) == 1
                assert set(ch) == {"change", "line", "price"}, "only a price amendment is derived here"
                eff, new = D(m["effective_on"]), to_minor(ch["price"], cur)
                # A month is recognized on its last day (or the service end):
                # every entry of the old terms that ends before the effective
                # date is settled and stays; the month containing it is not
                # recognized yet and goes whole to the new terms.
                settled = [(s, e, a, "recognition") for s, e, a in ratable(amount, start, end, basis, rule) if e < eff]
                settled_sum = sum(r[2] for r in settled)
                rows = list(settled)
                if m["treatment"] == "prospective":
                    before = settled_sum
                elif m["treatment"] == "cumulative_catch_up":
                    # What the new price, from the start, recognizes before
                    # the effective date; the difference is booked on it.
                    due = sum(a for s, e, a in ratable(new, start, end, basis, rule) if e < eff)
                    if due != settled_sum:
                        rows.append((eff, eff, due - settled_sum, "catch_up"))
                    before = due
                else:
                    raise ValueError(m["treatment"])
                remaining = new - before
                if end >= eff:
                    rest = max(start, first_of_month(eff))
                    rows += [(s, e, a, "recognition") for s, e, a in ratable(remaining, rest, end, basis, rule)]
                elif remaining:
                    rows.append((eff, eff, remaining, "remainder"))
                changes.append((eff, lid, new - amount))
                totals[lid] = new
        elif method == "point_in_time":
            ds = [D(x["delivered_on"]) for x in perf.get("deliveries", []) if x["line"] == lid]
            on = min(ds) if ds else start
            rows = [(on, on, allocated[lid], "recognition")]
            totals[lid] = allocated[lid]
        elif method == "milestone":
            ms = l["milestones"]
            amount = allocated[lid]
            parts = allocate(amount, [F(m["amount"]) for m in ms]) if amount else [0] * len(ms)
            acc = {}
            for a in perf.get("milestones_accepted", []):
                if a["line"] == lid:
                    d = D(a["accepted_on"])
                    acc[a["milestone"]] = min(d, acc.get(a["milestone"], d))
            rows = [(acc[m["milestone"]], acc[m["milestone"]], p, "recognition") for m, p in zip(ms, parts) if m["milestone"] in acc]
            rows.sort(key=lambda r: r[1])
            totals[lid] = amount
        elif method == "time_and_materials":
            left = F(l["not_to_exceed_hours"]) if "not_to_exceed_hours" in l else None
            ts = sorted((x for x in perf.get("time_approved", []) if x["line"] == lid), key=lambda x: x["approved_on"])
            for t in ts:
                h = F(t["hours"])
                if left is not None:
                    h = min(h, left)
                    left -= h
                rate = F(t.get("rate", l["unit_price"]))
                amt = round_int(h * rate * 10 ** PLACES[cur], ext)
                d = D(t["approved_on"])
                rows.append((d, d, amt, "recognition"))
            totals[lid] = sum(r[2] for r in rows)
            # Variable consideration exists once performed: each entry adds to
            # the line's total on the day it is recognized.
            changes += [(e, lid, a) for s, e, a, k in rows]
        elif method == "usage":
            us = sorted((x for x in perf.get("usage_recorded", []) if x["line"] == lid), key=lambda x: x["incurred_on"])
            months = {}
            for u in us:
                price = F(u.get("unit_price", l["unit_price"]))
                amt = round_int(F(u["quantity"]) * price * 10 ** PLACES[cur], ext)
                d = D(u["incurred_on"])
                k = (d.year, d.month)
                months[k] = months.get(k, 0) + amt
            for (y, mo), amt in sorted(months.items()):
                first = date(y, mo, 1)
                rows.append((first, date(y, mo, dim(first)), amt, "recognition"))
            totals[lid] = sum(r[2] for r in rows)
            changes += [(e, lid, a) for s, e, a, k in rows]
        entries += [(lid, s, e, a, k) for s, e, a, k in rows]
    return entries, totals, changes

def build(case, as_of_dates, line_as_of=()):
    cur = case["contract"]["currency"]
    entries, totals, changes = recognize(case)
    total = sum(totals.values())
    assert sum(e[3] for e in entries) == total or any(
        l["recognition"]["method"] == "milestone" for l in case["contract"]["lines"])
    def rec(d, line=None):
        return sum(a for lid, s, e, a, k in entries if e <= D(d) and (line is None or lid == line))
    def total_as_of(d, line=None):
        """The total under the terms in force on d: later changes left out."""
        t = total if line is None else totals[line]
        return t - sum(delta for eff, lid, delta in changes if eff > D(d) and (line is None or lid == line))
    as_of = []
    for d in as_of_dates:
        row = {"date": d, "recognized": fmt(rec(d), cur), "deferred": fmt(total_as_of(d) - rec(d), cur)}
        if case.get("modifications"):
            row["total"] = fmt(total_as_of(d), cur)
        as_of.append(row)
    as_of += [{"date": d, "line": lid, "recognized": fmt(rec(d, lid), cur),
               "deferred": fmt(total_as_of(d, lid) - rec(d, lid), cur)} for d, lid in line_as_of]
    case["expected"] = {
        "total": fmt(total, cur),
        "line_totals": [{"line": lid, "total": fmt(t, cur)} for lid, t in totals.items()],
        "schedule": [{"line": lid, "period_start": s.isoformat(), "period_end": e.isoformat(), "kind": k,
                      "amount": fmt(a, cur)} for lid, s, e, a, k in entries],
        "as_of": as_of,
    }
    return case

def contract(cur, start, end, lines, cid="C-GOLDEN"):
    return {"contract": cid, "customer": "ACME", "currency": cur, "start_date": start, "end_date": end,
            "billing_frequency": "monthly", "payment_terms": "net_30", "lines": lines}

def sub(lid, price, basis="monthly", **extra):
    l = {"line": lid, "product": "Platform subscription", "kind": "subscription", "price": price,
         "recognition": {"method": "ratable", "basis": basis}}
    l.update(extra)
    return l

CASES = {}

CASES["01_monthly_basis_jan_15"] = (
    {"description": "12,000.00 USD annual subscription from Jan 15, monthly basis: partial first month "
                    "17/31 and last month 14/31 of a month, eleven full months at 1,000.00.",
     "contract": contract("USD", "2026-01-15", "2027-01-14", [sub("L1", "12000.00")])},
    ["2026-01-30", "2026-01-31", "2026-06-30", "2027-01-13", "2027-01-14"])

CASES["02_daily_basis_jan_15"] = (
    {"description": "The same contract on the daily basis: each month weighs the days it covers, 365 in all.",
     "contract": contract("USD", "2026-01-15", "2027-01-14", [sub("L1", "12000.00", "daily")])},
    ["2026-01-31", "2026-02-28", "2026-12-31", "2027-01-14"])

CASES["03_leap_february_2028"] = (
    {"description": "Leap-year February: 2028-02-10 to 2028-05-09, one line on the monthly basis (February "
                    "weighs 20/29) and one on the daily basis (90 days). SSP = price, so allocation keeps the prices.",
     "contract": contract("USD", "2028-02-10", "2028-05-09", [
         sub("MONTHLY", "2900.00", "monthly", ssp="2900.00"),
         sub("DAILY", "2900.00", "daily", ssp="2900.00")])},
    ["2028-02-28", "2028-02-29", "2028-03-31", "2028-05-09"])

CASES["04_one_day_service"] = (
    {"description": "A one-day service: the whole price on that day.",
     "contract": contract("USD", "2026-03-10", "2026-03-10", [sub("L1", "499.99", "daily")])},
    ["2026-03-09", "2026-03-10"])

CASES["05_thirty_six_months"] = (
    {"description": "A 36-month term from Apr 10, 2026 through Apr 9, 2029 (crosses leap February 2028), "
                    "monthly basis.",
     "contract": contract("USD", "2026-04-10", "2029-04-09", [sub("L1", "100000.00")])},
    ["2026-04-30", "2027-04-30", "2028-02-29", "2029-03-31", "2029-04-09"])

CASES["06_jpy_daily"] = (
    {"description": "JPY has no minor unit: 1,000,000 JPY from Feb 20 to Aug 19, 2026 (181 days), daily basis.",
     "contract": contract("JPY", "2026-02-20", "2026-08-19", [sub("L1", "1000000", "daily")])},
    ["2026-02-28", "2026-05-31", "2026-08-19"])

CASES["07_bhd_monthly"] = (
    {"description": "BHD has three decimal places: 1,234.567 BHD from Jan 15 to Dec 31, 2026, monthly basis.",
     "contract": contract("BHD", "2026-01-15", "2026-12-31", [sub("L1", "1234.567")])},
    ["2026-01-31", "2026-07-31", "2026-12-31"])

halves = "1,000.02 USD over four full months: the exact figure to date after month 1 is 250.005, a half cent."
CASES["08_half_up"] = (
    {"description": halves + " HalfUp rounds it away from zero: 250.01.",
     "contract": contract("USD", "2026-01-01", "2026-04-30", [sub("L1", "1000.02")]),
     "settings": {"spread": {"cumulative": "half_up"}, "extension": "half_up"}},
    ["2026-01-31", "2026-02-28", "2026-03-31"])

CASES["09_half_even"] = (
    {"description": halves + " HalfEven rounds it to the even cent: 250.00.",
     "contract": contract("USD", "2026-01-01", "2026-04-30", [sub("L1", "1000.02")]),
     "settings": {"spread": {"cumulative": "half_even"}, "extension": "half_up"}},
    ["2026-01-31", "2026-02-28", "2026-03-31"])

CASES["10_remainder_last"] = (
    {"description": "RemainderLast (parity with systems that truncate each month and settle in the last): "
                    "10,000.00 USD from Jan 15, monthly basis.",
     "contract": contract("USD", "2026-01-15", "2027-01-14", [sub("L1", "10000.00")]),
     "settings": {"spread": "remainder_last", "extension": "half_up"}},
    ["2026-01-31", "2026-12-31", "2027-01-14"])

CASES["11_ssp_bundle"] = (
    {"description": "A 3-line bundle sold for 40,000.00 against SSPs 30,000 / 9,000 / 15,000: the transaction "
                    "price is allocated by SSP before anything is recognized. The implementation's milestones are "
                    "scaled to its allocated price; only accepted milestones are recognized. The license is "
                    "recognized on delivery.",
     "contract": contract("USD", "2026-03-01", "2027-02-28", [
         sub("SUB", "24000.00", ssp="30000"),
         {"line": "IMP", "product": "Implementation", "kind": "milestone", "price": "6000.00", "ssp": "9000",
          "recognition": {"method": "milestone"},
          "milestones": [{"milestone": "design", "amount": "2500.00", "due_on": "2026-04-15"},
                         {"milestone": "build", "amount": "2500.00", "due_on": "2026-06-15"},
                         {"milestone": "go-live", "amount": "1000.00", "due_on": "2026-08-01"}]},
         {"line": "LIC", "product": "Perpetual license", "kind": "perpetual_license", "price": "10000.00",
          "ssp": "15000", "recognition": {"method": "point_in_time"}}]),
     "performance": {"milestones_accepted": [{"line": "IMP", "milestone": "design", "accepted_on": "2026-04-20"},
                                             {"line": "IMP", "milestone": "go-live", "accepted_on": "2026-08-03"}],
                     "deliveries": [{"line": "LIC", "delivered_on": "2026-03-15"}]}},
    ["2026-03-14", "2026-03-15", "2026-04-30", "2026-08-31", "2027-02-28"],
    [("2027-02-28", "IMP"), ("2026-04-20", "IMP")])

CASES["12_milestones"] = (
    {"description": "A fixed-fee project of 50,000.00 GBP over three equal milestones: 16,666.66 / 16,666.67 / "
                    "16,666.67 (leftover pennies go to the later milestones on a tie). Accepted out of order; "
                    "one not yet accepted stays deferred.",
     "contract": contract("GBP", "2026-01-01", "2026-12-31", [
         {"line": "PROJECT", "product": "Data migration", "kind": "milestone", "price": "50000.00",
          "recognition": {"method": "milestone"},
          "milestones": [{"milestone": "m1", "amount": "1"}, {"milestone": "m2", "amount": "1"},
                         {"milestone": "m3", "amount": "1"}]}]),
     "performance": {"milestones_accepted": [{"line": "PROJECT", "milestone": "m3", "accepted_on": "2026-06-30"},
                                             {"line": "PROJECT", "milestone": "m1", "accepted_on": "2026-02-10"}]}},
    ["2026-02-09", "2026-02-10", "2026-06-30", "2027-12-31"])

CASES["13_time_and_materials_cap"] = (
    {"description": "Time and materials at 150.00/h with a 100-hour not-to-exceed cap, recognized on approval: "
                    "0.5 h at a special rate of 100.01 (50.005, rounded half up to 50.01), then 60 h, then 50 h of "
                    "which only the 39.5 h left under the cap count, then 10 h that count for nothing.",
     "contract": contract("USD", "2026-01-01", "2026-12-31", [
         {"line": "TM", "product": "Consulting", "kind": "time_and_materials", "unit_price": "150.00",
          "not_to_exceed_hours": "100", "recognition": {"method": "time_and_materials"}}]),
     "performance": {"time_approved": [
         {"line": "TM", "hours": "60", "approved_on": "2026-02-05"},
         {"line": "TM", "hours": "0.5", "rate": "100.01", "approved_on": "2026-01-20"},
         {"line": "TM", "hours": "50", "approved_on": "2026-03-05"},
         {"line": "TM", "hours": "10", "approved_on": "2026-04-05"}]}},
    ["2026-01-19", "2026-01-20", "2026-02-28", "2026-12-31"])

CASES["14_usage"] = (
    {"description": "Usage at 0.0015 USD per call, each record priced and rounded on its own, recognized in "
                    "the calendar month it was incurred.",
     "contract": contract("USD", "2026-01-01", "2026-12-31", [
         {"line": "API", "product": "API calls", "kind": "usage", "unit_price": "0.0015",
          "recognition": {"method": "usage"}}]),
     "performance": {"usage_recorded": [
         {"line": "API", "quantity": "1234567", "incurred_on": "2026-02-10"},
         {"line": "API", "quantity": "1000", "incurred_on": "2026-02-20"},
         {"line": "API", "quantity": "10", "incurred_on": "2026-03-01"},
         {"line": "API", "quantity": "333", "unit_price": "0.0105", "incurred_on": "2026-03-15"}]}},
    ["2026-02-27", "2026-02-28", "2026-03-31"])

# Modifications (effective date E): entries that end before E stay as the old
# terms had them; the month containing E goes whole to the new terms. Each case
# checks recognized, deferred and total as of E - 1 day and E.

CASES["15_prospective_upgrade"] = (
    {"description": "Prospective upgrade effective Jun 10, 2026 of the Jan 15 contract from 12,000.00 to "
                    "15,000.00: January to May (4,548.39, every month ended before Jun 10) stay as recognized; "
                    "June is not recognized until Jun 30, so the new terms take it whole: 15,000.00 - 4,548.39 "
                    "= 10,451.61 is spread over Jun 1, 2026 to Jan 14, 2027 (7 + 14/31 months).",
     "contract": contract("USD", "2026-01-15", "2027-01-14", [sub("L1", "12000.00")]),
     "modifications": [{"effective_on": "2026-06-10", "treatment": "prospective",
                        "changes": [{"change": "amend", "line": "L1", "price": "15000.00"}]}]},
    ["2026-05-31", "2026-06-09", "2026-06-10", "2026-06-30", "2027-01-13", "2027-01-14"])

CASES["16_catch_up_upgrade"] = (
    {"description": "Cumulative catch-up upgrade effective Jul 1, 2026 of a calendar-2026 daily-basis "
                    "subscription from 12,000.00 to 18,000.00: the new price from the start would have recognized "
                    "8,926.03 by Jun 30 (181/365), 5,950.68 was recognized, so 2,975.35 is booked on Jul 1; the "
                    "remaining 9,073.97 is spread over July to December (184 days). Until Jun 30 the total is "
                    "still 12,000.00.",
     "contract": contract("USD", "2026-01-01", "2026-12-31", [sub("L1", "12000.00", "daily")]),
     "modifications": [{"effective_on": "2026-07-01", "treatment": "cumulative_catch_up",
                        "changes": [{"change": "amend", "line": "L1", "price": "18000.00"}]}]},
    ["2026-06-30", "2026-07-01", "2026-07-31", "2026-12-31"])

CASES["17_catch_up_downgrade"] = (
    {"description": "Cumulative catch-up downgrade effective Aug 20, 2026 from 12,000.00 to 6,000.00: January "
                    "to July (7,000.00) were recognized, the new price from the start would have recognized "
                    "3,500.00 by then, so -3,500.00 (a reversal) is booked on Aug 20; August is not recognized "
                    "until Aug 31 and goes whole to the new terms: the remaining 2,500.00 over August to "
                    "December.",
     "contract": contract("USD", "2026-01-01", "2026-12-31", [sub("L1", "12000.00")]),
     "modifications": [{"effective_on": "2026-08-20", "treatment": "cumulative_catch_up",
                        "changes": [{"change": "amend", "line": "L1", "price": "6000.00"}]}]},
    ["2026-07-31", "2026-08-19", "2026-08-20", "2026-08-31", "2026-12-31"])

def pretty(v, indent=0):
    """JSON with one line per flat object (a schedule entry, a milestone), so a
    schedule reads like a table."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    flat = lambda x: not isinstance(x, (dict, list)) or (
        isinstance(x, dict) and all(not isinstance(y, (dict, list)) for y in x.values()))
    if isinstance(v, dict):
        if flat(v) and (indent > 0 and len(json.dumps(v)) <= 130):
            return json.dumps(v, ensure_ascii=False)
        items = [f"{inner}{json.dumps(k)}: {pretty(x, indent + 1)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[\n" + ",\n".join(inner + pretty(x, indent + 1) for x in v) + "\n" + pad + "]"
    return json.dumps(v, ensure_ascii=False)

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, spec in CASES.items():
        case, dates = spec[0], spec[1]
        line_as_of = spec[2] if len(spec) > 2 else ()
        case = build(case, dates, line_as_of)
        with open(f"{out}/{name}.json", "w") as f:
            f.write(pretty(case) + "\n")
        print(name, case["expected"]["total"], len(case["expected"]["schedule"]))
