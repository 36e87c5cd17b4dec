//! The dashboard as text: fixed sections, labels on the left, figures
//! right-aligned in one column, amounts with thousands separators.

use std::fmt::{self, Display, Formatter};

use super::{AgingShare, Dashboard};

/// Width of the label column.
const LABEL: usize = 26;
/// Width of the amount column.
const AMOUNT: usize = 18;

/// `1234567.89` as `1,234,567.89`; the sign and decimals are kept.
fn grouped(amount: &str) -> String {
    let (sign, digits) = amount.strip_prefix('-').map_or(("", amount), |rest| ("-", rest));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut out = String::with_capacity(amount.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

fn line(f: &mut Formatter<'_>, label: &str, value: &str, note: &str) -> fmt::Result {
    let text = format!("  {label:<LABEL$}{value:>AMOUNT$}{}{note}", if note.is_empty() { "" } else { "  " });
    writeln!(f, "{}", text.trim_end())
}

fn percent(pct: &Option<String>) -> String {
    pct.as_ref().map_or_else(|| "-".to_owned(), |p| format!("{p}%"))
}

fn signed_percent(pct: &Option<String>) -> String {
    match pct {
        Some(p) if !p.starts_with('-') => format!("(+{p}%)"),
        Some(p) => format!("({p}%)"),
        None => String::new(),
    }
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(", +{} more", names.len() - SHOWN));
    }
    text
}

impl Display for Dashboard {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let cur = self.reporting_currency;
        writeln!(f, "REVENUE OPS DASHBOARD — {} (as of {})", self.period, self.as_of)?;
        let rates: Vec<String> = self.rates.iter().map(|r| format!("{}→{cur} {}", r.from, r.rate)).collect();
        if rates.is_empty() {
            writeln!(f, "Amounts in {cur}")?;
        } else {
            writeln!(f, "Amounts in {cur}, converted at the rates of {}: {}", self.as_of, rates.join(", "))?;
        }

        let r = &self.revenue.total;
        writeln!(f, "\nREVENUE")?;
        line(f, "MRR", &grouped(&r.mrr), "")?;
        line(f, "ARR", &grouped(&r.arr), "")?;
        line(f, "New MRR", &grouped(&r.new_mrr), "")?;
        line(f, "Expansion MRR", &grouped(&r.expansion_mrr), "")?;
        line(f, "Reactivation MRR", &grouped(&r.reactivation_mrr), "")?;
        line(f, "Contraction MRR", &grouped(&r.contraction_mrr), "")?;
        line(f, "Churned MRR", &grouped(&r.churned_mrr), "")?;
        line(f, "Net MRR change", &grouped(&r.net_change), &signed_percent(&r.net_change_pct))?;

        let i = &self.invoicing.total;
        writeln!(f, "\nINVOICING (month to date)")?;
        line(f, "Issued", &grouped(&i.issued), &count(i.issued_count, "invoice", "invoices"))?;
        line(f, "Collected", &grouped(&i.collected), &count(i.paid_count, "invoice paid", "invoices paid"))?;
        line(f, "Avg days to pay", i.average_days_to_pay.as_deref().unwrap_or("-"), "")?;
        line(f, "Outstanding", &grouped(&i.outstanding), "")?;
        let overdue_note =
            format!("{}, {} over 60 days", count(i.overdue_count, "invoice", "invoices"), i.over_60_days_count);
        line(f, "Overdue", &grouped(&i.overdue), &overdue_note)?;

        let a = &self.ar_aging.total;
        writeln!(f, "\nAR AGING{:>w$}", "% OF AR", w = 2 + LABEL + AMOUNT + 2 + 7 - "AR AGING".len())?;
        let bucket = |f: &mut Formatter<'_>, label: &str, share: &AgingShare| {
            line(f, label, &grouped(&share.amount), &format!("{:>7}", percent(&share.pct_of_ar)))
        };
        bucket(f, "0-30 days", &a.days_0_30)?;
        bucket(f, "31-60 days", &a.days_31_60)?;
        bucket(f, "61-90 days", &a.days_61_90)?;
        bucket(f, "91+ days", &a.days_91_plus)?;
        line(f, "Total", &grouped(&a.total), "")?;

        let c = &self.commissions.total;
        writeln!(f, "\nCOMMISSIONS")?;
        line(f, "Earned this month", &grouped(&c.earned_in_period), "")?;
        line(f, "Payable", &grouped(&c.payable), "")?;
        let next = c.next_payout_on.map_or_else(|| "-".to_owned(), |d| d.to_string());
        line(f, "Next payout", &next, "")?;
        line(f, "Open disputes", &c.open_disputes.to_string(), &format!("claiming {}", grouped(&c.disputed)))?;

        let alerts = &self.alerts;
        let renewals = &alerts.renewals_in_30_days.total;
        writeln!(f, "\nALERTS")?;
        line(
            f,
            "Renewals in 30 days",
            &renewals.contracts.to_string(),
            &format!(
                "ARR {}, at risk {} ({})",
                grouped(&renewals.arr),
                grouped(&renewals.arr_at_risk),
                count(renewals.at_risk_contracts, "contract", "contracts")
            ),
        )?;
        line(
            f,
            "Invoices missing a PO",
            &alerts.invoices_missing_po.len().to_string(),
            &list(&alerts.invoices_missing_po),
        )?;
        line(f, "Credit holds", &alerts.credit_holds.len().to_string(), &list(&alerts.credit_holds))?;
        line(
            f,
            "Credit holds to place",
            &alerts.credit_holds_to_place.len().to_string(),
            &list(&alerts.credit_holds_to_place),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn thousands_are_grouped_and_sign_and_decimals_kept() {
        assert_eq!(grouped("0.00"), "0.00");
        assert_eq!(grouped("999.99"), "999.99");
        assert_eq!(grouped("1000.00"), "1,000.00");
        assert_eq!(grouped("-1234567.891"), "-1,234,567.891");
        assert_eq!(grouped("123456"), "123,456");
    }
}
