//! The serializable reports of [`GeneralLedger`]: the journal as of a date
//! with every contract position split into deferred revenue and contract
//! asset, and the trial balance by currency, period and account.
//!
//! Field names are stable. Amounts are strings with exactly the currency's
//! minor places ("1200.00"); `balance` fields are debit-positive (a credit
//! balance is negative). Entries are in date order (event entries by log
//! position, then recognition by contract id); trial-balance rows by
//! currency code, period and account code.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::Currency;
use serde::Serialize;
use uuid::Uuid;

use super::account::Account;
use super::commission::{self, CommissionPosting};
use super::journal::{assert_balanced, JournalKind, Line, Target};
use super::recognition::Posting;
use super::GeneralLedger;
use crate::amounts::format;
use crate::schedules::{RecognitionMethod, Source};

/// The journal and trial balance as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// Every entry dated on or before `as_of`.
    pub entries: Vec<JournalEntry>,
    /// Balances by currency, period and account.
    pub trial_balance: TrialBalance,
    /// Events the ledger could not post, in log order, with the reason.
    pub unposted: Vec<Unposted>,
}

/// One journal entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Log position of the event that caused it.
    pub seq: u64,
    /// Id of that event.
    pub event_id: Uuid,
    /// Type of that event (`invoice_issued`, …).
    pub event_type: String,
    /// What the entry books.
    pub kind: JournalKind,
    /// The posting date.
    pub date: NaiveDate,
    /// The posting period, the month of `date`.
    pub period: YearMonth,
    /// The business date of a fact booked in a later month because its own
    /// was closed; for a recognition catch-up, the date of the late event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_date: Option<NaiveDate>,
    /// The contract it concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// The lines: debits = credits per currency.
    pub lines: Vec<JournalLine>,
}

/// One line of a journal entry: either `debit` or `credit` is non-zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalLine {
    /// The account.
    pub account: Account,
    /// The currency.
    pub currency: Currency,
    /// Debit amount.
    pub debit: String,
    /// Credit amount.
    pub credit: String,
}

/// An event the ledger could not post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unposted {
    /// Its log position.
    pub seq: u64,
    /// Its id.
    pub event_id: Uuid,
    /// Its type.
    pub event_type: String,
    /// Why it was not posted.
    pub reason: String,
}

/// The trial balance as of a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrialBalance {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// One per currency and period with postings, by currency then period.
    pub periods: Vec<PeriodBalance>,
    /// Closing balances as of `as_of`, one per currency.
    pub closing: Vec<CurrencyBalance>,
}

/// One currency's accounts in one period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriodBalance {
    /// The currency.
    pub currency: Currency,
    /// The period.
    pub period: YearMonth,
    /// True when the period was closed.
    pub closed: bool,
    /// Every account with a movement in the period or a balance at its end,
    /// by account code.
    pub accounts: Vec<AccountBalance>,
    /// Sum of the period's debits.
    pub debits: String,
    /// Sum of the period's credits; equal to `debits`.
    pub credits: String,
}

/// One currency's closing balances.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CurrencyBalance {
    /// The currency.
    pub currency: Currency,
    /// Every account with postings, by account code: `debits` and `credits`
    /// since the beginning, `balance` as of the as-of date.
    pub accounts: Vec<AccountBalance>,
    /// Sum of the debit balances.
    pub debits: String,
    /// Sum of the credit balances; equal to `debits`.
    pub credits: String,
}

/// One account's movements and closing balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountBalance {
    /// The account.
    pub account: Account,
    /// Its number.
    pub code: u16,
    /// Debits posted in the period.
    pub debits: String,
    /// Credits posted in the period.
    pub credits: String,
    /// The balance at the end of the period (debit positive).
    pub balance: String,
}

impl TrialBalance {
    /// The closing balance of `account` in `currency` (debit positive),
    /// "0"-valued when it has none.
    pub fn balance(&self, currency: Currency, account: Account) -> String {
        let found = self.closing.iter().find(|c| c.currency == currency);
        let row = found.and_then(|c| c.accounts.iter().find(|a| a.account == account));
        row.map_or_else(|| format(0, currency), |a| a.balance.clone())
    }

    /// The balance of `account` in `currency` at the end of `period` (or the
    /// as-of date inside it), "0"-valued when it has none.
    pub fn period_balance(&self, currency: Currency, period: YearMonth, account: Account) -> String {
        let found = self.periods.iter().rev().find(|p| p.currency == currency && p.period <= period);
        let row = found.and_then(|p| p.accounts.iter().find(|a| a.account == account));
        row.map_or_else(|| format(0, currency), |a| a.balance.clone())
    }
}

/// An entry being built: lines still carry the contract position.
struct Draft {
    source: Source,
    kind: JournalKind,
    date: NaiveDate,
    period: YearMonth,
    original_date: Option<NaiveDate>,
    contract: Option<u32>,
    /// Event entries sort before recognition on the same date, recognition
    /// by contract id with the catch-up first.
    order: (u8, u64, u8),
    lines: Vec<Line>,
}

fn commission_draft(p: &CommissionPosting) -> Draft {
    Draft {
        source: p.source,
        kind: p.kind,
        date: p.date,
        period: YearMonth::of(p.date),
        original_date: p.original_date,
        contract: None,
        // After the entry of its own event, if it has one.
        order: (0, p.source.seq, 1),
        lines: vec![
            Line::debit(Account::CommissionExpense, p.currency, p.amount),
            Line::credit(Account::CommissionsPayable, p.currency, p.amount),
        ],
    }
}

fn recognition_draft(p: &Posting, currency: Currency) -> Draft {
    let mut lines = vec![Line { target: Target::Position, currency, amount: p.total() }];
    for (method, &amount) in RecognitionMethod::ALL.iter().zip(&p.amounts) {
        lines.push(Line::credit(Account::revenue(*method), currency, amount));
    }
    Draft {
        source: p.source,
        kind: if p.catch_up { JournalKind::RecognitionCatchUp } else { JournalKind::Recognition },
        date: p.date,
        period: p.period,
        original_date: p.original_date,
        contract: Some(p.contract),
        order: (1, 0, u8::from(!p.catch_up)),
        lines,
    }
}

pub(super) fn build(ledger: &GeneralLedger, as_of: NaiveDate) -> LedgerReport {
    let journal = &ledger.journal;
    let schedules = &ledger.schedules;
    let mut drafts: Vec<Draft> = journal
        .entries
        .iter()
        .filter(|e| e.date <= as_of)
        .map(|e| Draft {
            source: e.source,
            kind: e.kind,
            date: e.date,
            period: e.period(),
            original_date: e.original_date(),
            contract: e.contract(),
            order: (0, e.source.seq, 0),
            lines: journal.lines(e).copied().collect(),
        })
        .collect();

    let horizon = journal.horizon.map(|h| (h, journal.horizon_seq));
    let open = horizon.is_none_or(|(h, _)| as_of > h.last_day());
    let mut postings = Vec::new();
    for (index, _, book) in schedules.books() {
        ledger.freezer.postings(index, book, horizon, open, as_of, &mut postings);
    }
    drafts.extend(postings.iter().map(|p| recognition_draft(p, schedules.book(p.contract).currency)));

    let frozen = &ledger.frozen_commissions;
    drafts.extend(frozen.postings.iter().filter(|p| p.date <= as_of).map(commission_draft));
    let mut unposted = ledger.unposted.clone();
    if open {
        let mut postings = Vec::new();
        match commission::open_postings(&ledger.commissions, horizon, frozen, as_of, &mut postings) {
            Ok(()) => drafts.extend(postings.iter().map(commission_draft)),
            Err(u) => {
                if !unposted.contains(&u) {
                    let at = unposted.partition_point(|v| v.seq <= u.seq);
                    unposted.insert(at, u);
                }
            }
        }
    }

    // Recognition of one date sorts by contract id, not by the order the
    // contracts were first seen in.
    let mut by_name: Vec<u32> = (0..schedules.len() as u32).collect();
    by_name.sort_by_key(|&c| schedules.contract_name(c));
    let mut rank = vec![0u64; by_name.len()];
    for (r, &c) in by_name.iter().enumerate() {
        rank[c as usize] = r as u64;
    }
    for d in drafts.iter_mut().filter(|d| d.order.0 == 1) {
        d.order.1 = rank[d.contract.expect("recognition has a contract") as usize];
    }
    drafts.sort_by_key(|d| (d.date, d.order));

    let mut positions = vec![0i128; schedules.len()];
    let mut entries = Vec::with_capacity(drafts.len());
    let mut movements: BTreeMap<(&'static str, YearMonth, Account), (Currency, i128, i128)> = BTreeMap::new();
    for d in &drafts {
        let lines = split_positions(d, &mut positions);
        assert_balanced(lines.iter(), &format_args!("{:?} entry of event {}", d.kind, d.source.seq));
        let mut out = Vec::with_capacity(lines.len());
        for l in lines.iter().filter(|l| l.amount != 0) {
            let Target::Account(account) = l.target else { unreachable!("positions are split") };
            let slot = movements.entry((l.currency.code(), d.period, account)).or_insert((l.currency, 0, 0));
            let amount = i128::from(l.amount);
            if amount > 0 {
                slot.1 += amount;
            } else {
                slot.2 -= amount;
            }
            let (debit, credit) = if amount > 0 { (amount, 0) } else { (0, -amount) };
            out.push(JournalLine {
                account,
                currency: l.currency,
                debit: format(debit, l.currency),
                credit: format(credit, l.currency),
            });
        }
        if out.is_empty() {
            continue;
        }
        entries.push(JournalEntry {
            seq: d.source.seq,
            event_id: d.source.event_id,
            event_type: d.source.event_type().to_owned(),
            kind: d.kind,
            date: d.date,
            period: d.period,
            original_date: d.original_date,
            contract: d.contract.map(|c| schedules.contract_name(c).to_owned()),
            lines: out,
        });
    }
    let trial_balance = trial_balance(as_of, journal.horizon, &movements);
    LedgerReport { as_of, entries, trial_balance, unposted }
}

/// Replaces the position lines of `d` by deferred revenue and contract asset
/// lines so that each contract's position shows as exactly one of them.
fn split_positions(d: &Draft, positions: &mut [i128]) -> Vec<Line> {
    let mut out = Vec::with_capacity(d.lines.len() + 1);
    for &line in &d.lines {
        if line.target != Target::Position {
            out.push(line);
            continue;
        }
        let contract = d.contract.expect("a position line belongs to a contract") as usize;
        // The position is a credit balance: billed minus recognized.
        let before = positions[contract];
        let after = before - i128::from(line.amount);
        positions[contract] = after;
        let deferred = after.max(0) - before.max(0);
        let asset = (-after).max(0) - (-before).max(0);
        let to_i64 = |v: i128| i64::try_from(v).expect("a position moves by at most one line's amount");
        out.push(Line::credit(Account::DeferredRevenue, line.currency, to_i64(deferred)));
        out.push(Line::debit(Account::ContractAsset, line.currency, to_i64(asset)));
    }
    out
}

type Movements = BTreeMap<(&'static str, YearMonth, Account), (Currency, i128, i128)>;

fn trial_balance(as_of: NaiveDate, horizon: Option<YearMonth>, movements: &Movements) -> TrialBalance {
    let mut periods: Vec<PeriodBalance> = Vec::new();
    let mut closing: Vec<CurrencyBalance> = Vec::new();
    // Cumulative (debits, credits) per account of the current currency.
    let mut running: BTreeMap<Account, (i128, i128)> = BTreeMap::new();
    let mut keys = movements.keys().map(|&(code, period, _)| (code, period)).collect::<Vec<_>>();
    keys.dedup();
    let mut current: Option<(&str, Currency)> = None;
    for (code, period) in keys {
        let currency = movements.range((code, period, Account::Cash)..).next().expect("a key of movements").1 .0;
        if current.is_some_and(|(c, _)| c != code) {
            closing.push(currency_balance(current.expect("checked").1, &running));
            running.clear();
        }
        current = Some((code, currency));
        let in_period: BTreeMap<Account, (i128, i128)> = movements
            .range((code, period, Account::Cash)..=(code, period, Account::FxGainLoss))
            .map(|(&(_, _, account), &(_, debits, credits))| (account, (debits, credits)))
            .collect();
        for (&account, &(debits, credits)) in &in_period {
            let slot = running.entry(account).or_insert((0, 0));
            slot.0 += debits;
            slot.1 += credits;
        }
        let (debits, credits) = in_period.values().fold((0, 0), |(d, c), &(pd, pc)| (d + pd, c + pc));
        assert!(debits == credits, "{currency} {period}: debits {debits} and credits {credits} differ");
        let accounts = running
            .iter()
            .filter(|(a, &(d, c))| d != c || in_period.contains_key(a))
            .map(|(&account, &(d, c))| {
                let (pd, pc) = in_period.get(&account).copied().unwrap_or((0, 0));
                account_balance(account, currency, pd, pc, d - c)
            })
            .collect();
        periods.push(PeriodBalance {
            currency,
            period,
            closed: horizon.is_some_and(|h| period <= h),
            accounts,
            debits: format(debits, currency),
            credits: format(credits, currency),
        });
    }
    if let Some((_, currency)) = current {
        closing.push(currency_balance(currency, &running));
    }
    TrialBalance { as_of, periods, closing }
}

fn account_balance(account: Account, currency: Currency, debits: i128, credits: i128, balance: i128) -> AccountBalance {
    AccountBalance {
        account,
        code: account.code(),
        debits: format(debits, currency),
        credits: format(credits, currency),
        balance: format(balance, currency),
    }
}

fn currency_balance(currency: Currency, running: &BTreeMap<Account, (i128, i128)>) -> CurrencyBalance {
    let accounts: Vec<AccountBalance> =
        running.iter().map(|(&account, &(d, c))| account_balance(account, currency, d, c, d - c)).collect();
    let debit_balances: i128 = running.values().map(|&(d, c)| (d - c).max(0)).sum();
    let credit_balances: i128 = running.values().map(|&(d, c)| (c - d).max(0)).sum();
    assert!(debit_balances == credit_balances, "{currency}: the trial balance does not balance");
    CurrencyBalance {
        currency,
        accounts,
        debits: format(debit_balances, currency),
        credits: format(credit_balances, currency),
    }
}
