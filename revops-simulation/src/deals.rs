//! Customers and their contracts: arrival, deals of every billing kind,
//! what is performed under them, modifications, renewals and churn.

use chrono::{Duration, NaiveDate};
use revops_core::calendar::add_months;
use revops_core::modification::{LineChange, Treatment};
use revops_core::performance::{MilestoneAcceptance, TimeApproval, UsageRecord};
use revops_core::terms::{Contract, ContractLine, LineKind, Milestone, PaymentTerms, RatableBasis, Recognition};
use revops_events::event::*;
use revops_events::ids::*;
use revops_events::EventLog;
use rust_decimal::Decimal;

use super::catalog::*;
use super::company::months_covering;
use super::generator::{
    id, next_month_start, units, whole, Customer, Deal, DealKind, DealLine, Generator, Payer, Task,
};
use super::Error;

/// A line with everything not given left empty.
fn line(id: String, product: &str, kind: LineKind, recognition: Recognition) -> ContractLine {
    ContractLine {
        line: id,
        product: product.to_string(),
        kind,
        quantity: Decimal::ONE,
        unit_price: None,
        price: Decimal::ZERO,
        ssp: None,
        recognition,
        start_date: None,
        end_date: None,
        milestones: Vec::new(),
        not_to_exceed_hours: None,
    }
}

fn ratable(basis: RatableBasis) -> Recognition {
    Recognition::Ratable { basis }
}

/// The last day of a term of `months` from `start`.
fn term_end(start: NaiveDate, months: u32) -> NaiveDate {
    let next = add_months(start, months as i32).expect("simulated dates are in range");
    next.pred_opt().expect("simulated dates are in range")
}

impl<L: EventLog> Generator<'_, L> {
    /// A new customer registers and, within two weeks, signs a first deal.
    pub(super) fn arrive(&mut self) -> Result<(), Error> {
        let index = self.customers.len();
        let currency = *self.rng.weighted(&[
            (75, revops_core::Currency::USD),
            (15, revops_core::Currency::EUR),
            (10, revops_core::Currency::GBP),
        ]);
        let places: Vec<&'static Jurisdiction> = jurisdictions_in(currency).collect();
        let jurisdiction = *self.rng.pick(&places);
        let stem = *self.rng.pick(NAME_STEMS);
        let trade = *self.rng.pick(NAME_TRADES);
        let legal_entity = format!("{stem} {trade} {}", legal_suffix(jurisdiction.country));
        let domain = format!("{}-{}.example", stem.to_lowercase().replace(' ', ""), index + 1);
        let email = format!("ap@{domain}");
        let given = *self.rng.pick(GIVEN_NAMES);
        let family = *self.rng.pick(FAMILY_NAMES);
        let method = *self.rng.weighted(&[
            (45, PaymentMethod::Ach),
            (30, PaymentMethod::Wire),
            (15, PaymentMethod::Card),
            (10, PaymentMethod::Check),
        ]);
        let terms = if method == PaymentMethod::Card {
            PaymentTerms::Upfront
        } else {
            *self.rng.weighted(&[
                (60, PaymentTerms::Net30),
                (12, PaymentTerms::Net15),
                (16, PaymentTerms::Net45),
                (12, PaymentTerms::Net60),
            ])
        };
        let payer = *self.rng.weighted(&[
            (56, Payer::Prompt),
            (24, Payer::Late),
            (10, Payer::Partial),
            (6, Payer::Over),
            (4, Payer::Deadbeat),
        ]);
        let customer = id(CustomerId::new, format!("CUST-{:05}", index + 1));
        let exemption = (jurisdiction.country == "US" && self.rng.chance(80))
            .then(|| format!("{}-EXEMPT-{:06}", jurisdiction.code, self.rng.range(1, 999_999)));
        let tax_registration = Some(match jurisdiction.country {
            "US" => format!("EIN {:02}-{:07}", self.rng.range(10, 99), self.rng.range(0, 9_999_999)),
            country => format!("VAT {country}{:09}", self.rng.range(0, 999_999_999)),
        });
        let event = CustomerRegistered {
            customer: customer.clone(),
            legal_entity,
            billing_address: self.address(jurisdiction),
            billing_contact: Contact {
                name: format!("{given} {family}"),
                email: email.clone(),
                phone: Some(format!("+1 555 {:04}", self.rng.range(0, 9_999))),
            },
            tax_registration,
            payment_method: method,
            payment_terms: terms,
            credit_limit: whole(self.rng.range(5, 100) * 5_000),
            currency,
            registered_on: self.today,
        };
        self.emit(event)?;
        let po_customer = self.rng.chance(250);
        self.customers.push(Customer {
            id: customer,
            currency,
            jurisdiction,
            terms,
            method,
            email,
            payer,
            exemption,
            po_customer,
            on_hold: false,
            deferred: Vec::new(),
            open: Default::default(),
            deals: Vec::new(),
            closed: false,
        });
        let kind = *self.rng.weighted(&[
            (25, DealKind::Monthly),
            (15, DealKind::Quarterly),
            (25, DealKind::Annual),
            (10, DealKind::Milestone),
            (10, DealKind::TimeAndMaterials),
            (15, DealKind::Usage),
        ]);
        let sign_on = self.in_random_days(0, 14);
        self.at(sign_on, Task::Sign { customer: index, kind });
        if self.rng.chance(300) {
            let on = self.in_random_days(60, 540);
            let kind = *self.rng.weighted(&[
                (30, DealKind::Milestone),
                (30, DealKind::TimeAndMaterials),
                (25, DealKind::Usage),
                (15, DealKind::Annual),
            ]);
            self.at(on, Task::Sign { customer: index, kind });
        }
        if self.rng.chance(450) {
            let on = self.in_random_days(60, 400);
            self.at(on, Task::UpdateCustomer(index));
        }
        Ok(())
    }

    fn address(&mut self, j: &'static Jurisdiction) -> Address {
        Address {
            line1: format!("{} {}", self.rng.range(1, 999), self.rng.pick(STREETS)),
            line2: self.rng.chance(300).then(|| format!("Suite {}", self.rng.range(100, 900))),
            city: (*self.rng.pick(j.cities)).to_string(),
            region: j.region.map(str::to_string),
            postal_code: format!("{:05}", self.rng.range(1_000, 99_999)),
            country: j.country.to_string(),
        }
    }

    pub(super) fn update_customer(&mut self, index: usize) -> Result<(), Error> {
        let c = &self.customers[index];
        if c.closed {
            return Ok(());
        }
        let (customer, jurisdiction) = (c.id.clone(), c.jurisdiction);
        let mut update = CustomerUpdated {
            customer,
            updated_on: self.today,
            legal_entity: None,
            billing_address: None,
            billing_contact: None,
            tax_registration: None,
            payment_method: None,
            payment_terms: None,
            credit_limit: None,
        };
        match self.rng.below(4) {
            0 => update.billing_address = Some(self.address(jurisdiction)),
            1 => {
                let name = format!("{} {}", self.rng.pick(GIVEN_NAMES), self.rng.pick(FAMILY_NAMES));
                update.billing_contact =
                    Some(Contact { name, email: self.customers[index].email.clone(), phone: None });
            }
            2 => update.credit_limit = Some(whole(self.rng.range(10, 120) * 5_000)),
            _ => {
                let terms = *self.rng.pick(&[PaymentTerms::Net30, PaymentTerms::Net45, PaymentTerms::Net60]);
                if self.customers[index].method != PaymentMethod::Card {
                    self.customers[index].terms = terms;
                    update.payment_terms = Some(terms);
                } else {
                    update.payment_method = Some(PaymentMethod::Ach);
                    self.customers[index].method = PaymentMethod::Ach;
                }
            }
        }
        self.emit(update)
    }

    /// A churned customer comes back with a new subscription.
    pub(super) fn reactivate(&mut self, customer: usize) -> Result<(), Error> {
        let c = &self.customers[customer];
        if c.closed || c.deals.iter().any(|&d| self.deals[d].is_live(self.today)) {
            return Ok(());
        }
        let kind = *self.rng.pick(&[DealKind::Monthly, DealKind::Annual]);
        self.sign(customer, kind)
    }

    /// Signs a deal of `kind` for `customer` and plans its life: billing,
    /// performance, renewal, and now and then a modification or an early
    /// cancellation.
    pub(super) fn sign(&mut self, customer: usize, kind: DealKind) -> Result<(), Error> {
        if self.plan_days.contains(&self.today) {
            let tomorrow = self.in_days(1);
            self.at(tomorrow, Task::Sign { customer, kind });
            return Ok(());
        }
        let c = &self.customers[customer];
        if c.closed || c.on_hold {
            return Ok(());
        }
        let (currency, customer_terms, po_customer) = (c.currency, c.terms, c.po_customer);
        let exemption = c.exemption.clone();
        let jurisdiction = c.jurisdiction.code.to_string();
        let customer_id = c.id.clone();
        self.counters.contract += 1;
        let contract = id(ContractId::new, format!("C-{:06}", self.counters.contract));
        let start = self.in_random_days(0, 14);
        let term_months: u32 = match kind {
            DealKind::Monthly | DealKind::Usage => 12,
            DealKind::Quarterly => *self.rng.pick(&[12, 24]),
            DealKind::Annual => *self.rng.pick(&[12, 12, 24, 36]),
            DealKind::Milestone => self.rng.range(3, 9) as u32,
            DealKind::TimeAndMaterials => self.rng.range(6, 12) as u32,
        };
        let end = term_end(start, term_months);
        let mut deal = Deal {
            id: contract.clone(),
            customer,
            kind,
            terms: customer_terms,
            currency,
            po_number: None,
            rep: None,
            term_months,
            term: 0,
            first_start: start,
            term_start: start,
            term_end: end,
            lines: Vec::new(),
            next_line: 0,
            performance: Default::default(),
            cancelled_on: None,
            last_performance_bill: None,
        };
        let lines = self.deal_lines(&mut deal, kind, start, end);
        let years = i64::from(term_months.div_ceil(12));
        for l in &lines {
            let annual = if l.kind == LineKind::Subscription { (l.price / units(years)).trunc() } else { l.price };
            deal.lines.push(DealLine {
                line: l.clone(),
                term: 0,
                term_start: start,
                term_end: end,
                annual: annual.try_into().unwrap_or(0),
                removed_on: None,
            });
        }
        let po_required = po_customer;
        if po_required || self.rng.chance(100) {
            self.counters.po += 1;
            deal.po_number = Some(format!("PO-{:06}", 4_000 + self.counters.po));
        }
        let ae = self.pick_rep(currency);
        deal.rep = ae.as_ref().map(|(rep, _)| *rep);
        let event = ContractSigned {
            contract: contract.clone(),
            deal_id: Some(id(DealId::new, format!("OPP-{:06}", self.counters.contract))),
            customer: customer_id,
            signed_on: self.today,
            start_date: start,
            end_date: end,
            currency,
            billing_frequency: kind.frequency(),
            payment_terms: customer_terms,
            po_required,
            po_number: deal.po_number.clone(),
            tax_jurisdiction: Some(jurisdiction),
            tax_exempt: exemption.is_some(),
            tax_exemption_certificate: exemption,
            assigned_ae: ae.as_ref().map(|(rep, _)| self.reps[*rep].id.clone()),
            commission_plan: ae.map(|(_, plan)| plan),
            lines: lines.clone(),
        };
        let terms = event.terms();
        self.emit(event)?;
        let index = self.deals.len();
        self.deals.push(deal);
        self.customers[customer].deals.push(index);
        self.attribute_partners(index)?;
        self.schedule_fixed_billing(index, &terms)?;
        self.plan_performance(index)?;
        self.plan_term(index);
        Ok(())
    }

    /// The lines of a new deal of `kind`; ids come from the deal.
    fn deal_lines(&mut self, deal: &mut Deal, kind: DealKind, start: NaiveDate, end: NaiveDate) -> Vec<ContractLine> {
        let years = i64::from(deal.term_months.div_ceil(12));
        let mut lines = Vec::new();
        let price_of = |g: &mut Self, p: &Product| g.rng.range(p.price.0 / 100, p.price.1 / 100) * 100;
        match kind {
            DealKind::Monthly | DealKind::Quarterly | DealKind::Annual => {
                let product =
                    if kind == DealKind::Monthly { &SUBSCRIPTIONS[0] } else { self.rng.pick(&SUBSCRIPTIONS[..2]) };
                let annual = price_of(self, product);
                let mut main =
                    line(deal.new_line_id(), product.name, LineKind::Subscription, ratable(RatableBasis::Monthly));
                main.quantity = units(self.rng.range(1, 50) * 10);
                main.price = whole(annual * years);
                if kind != DealKind::Monthly && self.rng.chance(500) {
                    // Sold below list: the SSP is the list price.
                    main.ssp = Some(whole(annual * years * 11 / 10));
                }
                lines.push(main);
                if self.rng.chance(400) {
                    let addon = *self.rng.pick(&SUBSCRIPTIONS[2..]);
                    let basis = if self.rng.chance(500) { RatableBasis::Daily } else { RatableBasis::Monthly };
                    let mut l = line(deal.new_line_id(), addon.name, LineKind::Subscription, ratable(basis));
                    l.price = whole(price_of(self, &addon) * years);
                    lines.push(l);
                }
                if kind == DealKind::Annual && self.rng.chance(300) {
                    lines.push(self.license_line(deal, start, end));
                }
            }
            DealKind::Milestone => {
                let product = *self.rng.pick(IMPLEMENTATIONS);
                let mut l = line(deal.new_line_id(), product.name, LineKind::Milestone, Recognition::Milestone);
                l.price = whole(price_of(self, &product));
                let count = self.rng.range(2, 4);
                let span = (end - start).num_days();
                for m in 0..count {
                    let due = start + Duration::days(span * (m + 1) / count);
                    l.milestones.push(Milestone {
                        milestone: ["design", "build", "test", "go-live"][(m + 4 - count) as usize].to_string(),
                        amount: whole(self.rng.range(2, 6) * 1_000),
                        due_on: Some(due),
                    });
                }
                lines.push(l);
                if self.rng.chance(350) {
                    lines.push(self.license_line(deal, start, end));
                }
            }
            DealKind::TimeAndMaterials => {
                let product = *self.rng.pick(CONSULTING);
                let mut l =
                    line(deal.new_line_id(), product.name, LineKind::TimeAndMaterials, Recognition::TimeAndMaterials);
                l.unit_price = Some(whole(self.rng.range(product.price.0, product.price.1)));
                if self.rng.chance(500) {
                    let cap = self.rng.range(10, 60) * 10;
                    l.not_to_exceed_hours = Some(units(cap));
                    l.quantity = units(cap);
                }
                lines.push(l);
            }
            DealKind::Usage => lines.push(self.usage_line(deal)),
        }
        lines
    }

    fn license_line(&mut self, deal: &mut Deal, start: NaiveDate, end: NaiveDate) -> ContractLine {
        let product = *self.rng.pick(LICENSES);
        let mut l = line(deal.new_line_id(), product.name, LineKind::PerpetualLicense, Recognition::PointInTime);
        let price = self.rng.range(product.price.0 / 100, product.price.1 / 100) * 100;
        l.price = whole(price);
        l.ssp = Some(whole(price * 5 / 4));
        // One year of service at most, so that the license is invoiced once,
        // up front, whatever the contract's billing period.
        l.end_date = Some(term_end(start, 12).min(end));
        l
    }

    fn usage_line(&mut self, deal: &mut Deal) -> ContractLine {
        let product = *self.rng.pick(METERED);
        let mut l = line(deal.new_line_id(), product.name, LineKind::Usage, Recognition::Usage);
        l.unit_price = Some(Decimal::new(self.rng.range(product.price.0, product.price.1), 4));
        l
    }

    /// Schedules what is performed under the deal's lines of the current
    /// term.
    fn plan_performance(&mut self, deal: usize) -> Result<(), Error> {
        let d = &self.deals[deal];
        let (start, kind) = (d.term_start, d.kind);
        let lines: Vec<(usize, ContractLine)> =
            d.lines.iter().enumerate().filter(|(_, l)| l.term == d.term).map(|(i, l)| (i, l.line.clone())).collect();
        for (index, l) in lines {
            match l.kind {
                LineKind::Milestone => {
                    for (m, milestone) in l.milestones.iter().enumerate() {
                        let due = milestone.due_on.unwrap_or(start);
                        let slip = if self.rng.chance(200) { self.rng.range(5, 30) } else { self.rng.range(-5, 2) };
                        let on = (due + Duration::days(slip)).max(start).max(self.today);
                        self.at(on, Task::DeliverMilestone { deal, line: index, milestone: m });
                    }
                }
                LineKind::PerpetualLicense => {
                    let on = start + Duration::days(self.rng.range(0, 5));
                    self.at(on, Task::DeliverLicense { deal, line: index });
                }
                _ => {}
            }
        }
        match kind {
            DealKind::TimeAndMaterials => {
                let first = start + Duration::days(self.rng.range(3, 7));
                self.at(first, Task::ApproveTime(deal));
                self.at(next_month_start(start), Task::BillPerformance(deal));
            }
            DealKind::Usage if self.deals[deal].term == 0 => {
                self.at(start + Duration::days(6), Task::RecordUsage(deal));
                self.at(next_month_start(start), Task::BillPerformance(deal));
            }
            _ => {}
        }
        Ok(())
    }

    /// Schedules the term's renewal conversation, and now and then a
    /// modification or an early cancellation.
    fn plan_term(&mut self, deal: usize) {
        let d = &self.deals[deal];
        let (term, start, end, kind) = (d.term, d.term_start, d.term_end, d.kind);
        if kind.is_subscription() || kind == DealKind::Usage {
            for days in [90, 60, 30] {
                let on = end - Duration::days(days);
                if on >= self.today {
                    self.at(on, Task::RenewalContact { deal, term });
                }
            }
            self.at((end - Duration::days(20)).max(self.today), Task::RenewalDecision { deal, term });
        }
        let next = end + Duration::days(1);
        self.at(next, Task::TermEnded { deal, term });
        let span = (end - start).num_days();
        if kind.is_subscription() && span > 120 && self.rng.chance(300) {
            let on = start + Duration::days(self.rng.range(30, span - 60));
            self.at(on, Task::Modify { deal, term });
        }
        if span > 90 && self.rng.chance(60) {
            let on = start + Duration::days(self.rng.range(30, span - 30));
            self.at(on, Task::Cancel { deal, term });
        }
    }

    /// The contract and the current-term line of `kind` of a deal still
    /// in service today: usage and time are recorded only then.
    fn performing(&self, deal: usize, kind: LineKind) -> Option<(ContractId, ContractLine)> {
        let d = &self.deals[deal];
        if d.cancelled_on.is_some_and(|on| self.today >= on) || self.today > d.term_end {
            return None;
        }
        d.current_lines().find(|l| l.line.kind == kind).map(|l| (d.id.clone(), l.line.clone()))
    }

    pub(super) fn record_usage(&mut self, deal: usize) -> Result<(), Error> {
        let today = self.today;
        let Some((contract, l)) = self.performing(deal, LineKind::Usage) else { return Ok(()) };
        let (line_id, big) = (l.line, l.product == "API calls");
        let quantity = if big { units(self.rng.range(50, 5_000) * 1_000) } else { units(self.rng.range(10, 5_000)) };
        self.emit(UsageRecorded {
            contract,
            line: id(LineId::new, line_id.clone()),
            quantity,
            unit_price: None,
            incurred_on: today,
        })?;
        self.deals[deal].performance.usage_recorded.push(UsageRecord {
            line: line_id,
            quantity,
            unit_price: None,
            incurred_on: today,
        });
        let next = self.in_days(7);
        self.at(next, Task::RecordUsage(deal));
        Ok(())
    }

    pub(super) fn approve_time(&mut self, deal: usize) -> Result<(), Error> {
        let today = self.today;
        let Some((contract, l)) = self.performing(deal, LineKind::TimeAndMaterials) else { return Ok(()) };
        let line_id = l.line;
        let hours = Decimal::new(self.rng.range(8, 80) * 5, 1);
        self.emit(TimeApproved {
            contract,
            line: id(LineId::new, line_id.clone()),
            hours,
            rate: None,
            approved_on: today,
        })?;
        self.deals[deal].performance.time_approved.push(TimeApproval {
            line: line_id,
            hours,
            rate: None,
            approved_on: today,
        });
        let next = self.in_days(7);
        self.at(next, Task::ApproveTime(deal));
        Ok(())
    }

    pub(super) fn deliver_milestone(&mut self, deal: usize, line: usize, m: usize) -> Result<(), Error> {
        let d = &self.deals[deal];
        if d.cancelled_on.is_some_and(|on| self.today >= on) {
            return Ok(());
        }
        let l = &d.lines[line].line;
        let event = MilestoneDelivered {
            contract: d.id.clone(),
            line: id(LineId::new, l.line.clone()),
            milestone: id(MilestoneId::new, l.milestones[m].milestone.clone()),
            delivered_on: self.today,
        };
        self.emit(event)?;
        let on = self.in_random_days(2, 15);
        self.at(on, Task::AcceptMilestone { deal, line, milestone: m });
        Ok(())
    }

    pub(super) fn accept_milestone(&mut self, deal: usize, line: usize, m: usize) -> Result<(), Error> {
        let d = &self.deals[deal];
        let l = &d.lines[line].line;
        let (line_id, milestone) = (l.line.clone(), l.milestones[m].milestone.clone());
        let event = MilestoneAccepted {
            contract: d.id.clone(),
            line: id(LineId::new, line_id.clone()),
            milestone: id(MilestoneId::new, milestone.clone()),
            accepted_on: self.today,
        };
        self.emit(event)?;
        self.deals[deal].performance.milestones_accepted.push(MilestoneAcceptance {
            line: line_id,
            milestone,
            accepted_on: self.today,
        });
        self.bill_performance(deal)
    }

    pub(super) fn deliver_license(&mut self, deal: usize, line: usize) -> Result<(), Error> {
        let d = &self.deals[deal];
        if d.cancelled_on.is_some_and(|on| self.today >= on) {
            return Ok(());
        }
        let line_id = d.lines[line].line.line.clone();
        // Not kept in the deal's performance: that feeds the billing of
        // lines billed as performed, and a license is billed in advance.
        self.emit(LineDelivered { contract: d.id.clone(), line: id(LineId::new, line_id), delivered_on: self.today })
    }

    pub(super) fn renewal_contact(&mut self, deal: usize, term: u32) -> Result<(), Error> {
        let d = &self.deals[deal];
        if d.term != term || !d.is_live(self.today) {
            return Ok(());
        }
        let by = match d.rep {
            Some(rep) => self.reps[rep].name.clone(),
            None => "Customer Success".to_string(),
        };
        let notes = (*self.rng.pick(&[
            "renewal quote sent",
            "budget confirmed for next term",
            "asked for a multi-year discount",
            "champion left the company",
            "procurement review scheduled",
        ]))
        .to_string();
        self.emit(RenewalContactLogged { contract: d.id.clone(), contacted_on: self.today, by, notes })
    }

    /// Renews most live subscriptions for another term at a small uplift;
    /// the rest run out at the end of the term.
    pub(super) fn renewal_decision(&mut self, deal: usize, term: u32) -> Result<(), Error> {
        let d = &self.deals[deal];
        let customer = &self.customers[d.customer];
        if d.term != term || !d.is_live(self.today) || customer.on_hold || customer.closed || !self.rng.chance(780) {
            return Ok(());
        }
        let start = d.term_end + Duration::days(1);
        let term_months = d.term_months.min(24);
        let end = term_end(start, term_months);
        let years = i64::from(term_months.div_ceil(12));
        let current: Vec<DealLine> = d
            .current_lines()
            .filter(|l| matches!(l.line.kind, LineKind::Subscription | LineKind::Usage))
            .cloned()
            .collect();
        if current.is_empty() {
            return Ok(());
        }
        let mut new_lines = Vec::new();
        let mut renewed = Vec::new();
        for old in current {
            let uplift = self.rng.range(100, 108);
            let id = self.deals[deal].new_line_id();
            let mut l = ContractLine { line: id, start_date: None, end_date: None, ssp: None, ..old.line.clone() };
            let annual = old.annual * uplift / 100;
            if l.kind == LineKind::Subscription {
                l.price = whole(annual * years);
            } else {
                l.unit_price = l.unit_price.map(|p| p * Decimal::new(uplift, 2));
            }
            renewed.push(DealLine {
                line: l.clone(),
                term: term + 1,
                term_start: start,
                term_end: end,
                annual,
                removed_on: None,
            });
            new_lines.push(l);
        }
        let contract = self.deals[deal].id.clone();
        self.emit(ContractRenewed {
            contract,
            renewed_on: self.today,
            start_date: start,
            end_date: end,
            lines: new_lines.clone(),
        })?;
        let d = &mut self.deals[deal];
        d.term += 1;
        d.term_months = term_months;
        d.term_start = start;
        d.term_end = end;
        d.lines.extend(renewed);
        let terms = Contract {
            contract: d.id.to_string(),
            customer: String::new(),
            currency: d.currency,
            start_date: start,
            end_date: end,
            billing_frequency: d.kind.frequency(),
            payment_terms: d.terms,
            lines: new_lines,
        };
        self.schedule_fixed_billing(deal, &terms)?;
        self.plan_term(deal);
        Ok(())
    }

    /// At the end of a term that was not renewed: churn, and sometimes a
    /// comeback months later.
    pub(super) fn term_ended(&mut self, deal: usize, term: u32) -> Result<(), Error> {
        let d = &self.deals[deal];
        if d.term != term {
            return Ok(());
        }
        self.maybe_churned(d.customer);
        Ok(())
    }

    fn maybe_churned(&mut self, customer: usize) {
        let c = &self.customers[customer];
        if c.closed || c.deals.iter().any(|&d| self.deals[d].is_live(self.today)) {
            return;
        }
        if self.rng.chance(350) {
            let on = self.in_random_days(90, 360);
            self.at(on, Task::Reactivate(customer));
        }
    }

    /// An upgrade (a new subscription line, under any of the three
    /// treatments) or a downgrade (a line removed at a billing-period
    /// boundary, so that no billed period is cut).
    pub(super) fn modify(&mut self, deal: usize, term: u32) -> Result<(), Error> {
        let d = &self.deals[deal];
        if d.term != term || !d.is_live(self.today) || self.customers[d.customer].on_hold {
            return Ok(());
        }
        let today = self.today;
        let removable: Vec<usize> = d
            .lines
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, l)| {
                l.term == term
                    && l.removed_on.is_none()
                    && l.line.kind == LineKind::Subscription
                    && l.line.start_date.is_none_or(|s| s <= today)
            })
            .map(|(i, _)| i)
            .collect();
        if !removable.is_empty() && self.rng.chance(400) {
            let index = *self.rng.pick(&removable);
            let step = d.kind.period_months();
            let earliest = today + Duration::days(7);
            let mut k = 1;
            let mut boundary = add_months(d.term_start, step).expect("simulated dates are in range");
            // Bounded by the term: at most its number of billing periods.
            while boundary < earliest {
                k += 1;
                boundary = add_months(d.term_start, step * k).expect("simulated dates are in range");
            }
            if boundary > d.term_end {
                return Ok(());
            }
            let treatment = *self.rng.pick(&[Treatment::Prospective, Treatment::CumulativeCatchUp]);
            let line = d.lines[index].line.line.clone();
            self.emit(ContractModified {
                contract: d.id.clone(),
                effective_on: boundary,
                treatment,
                changes: vec![LineChange::Remove { line }],
            })?;
            self.deals[deal].lines[index].removed_on = Some(boundary);
            return Ok(());
        }
        let effective = today + Duration::days(self.rng.range(1, 14));
        if effective > d.term_end - Duration::days(30) {
            return Ok(());
        }
        let (term_start, term_end, currency, frequency, terms) =
            (d.term_start, d.term_end, d.currency, d.kind.frequency(), d.terms);
        let product = *self.rng.pick(&SUBSCRIPTIONS[2..]);
        let monthly = self.rng.range(product.price.0 / 1_200, product.price.1 / 1_200) * 10;
        let months = months_covering(effective, term_end);
        let line_id = self.deals[deal].new_line_id();
        let mut l = line(line_id, product.name, LineKind::Subscription, ratable(RatableBasis::Monthly));
        l.price = whole(monthly * months);
        l.start_date = Some(effective);
        let treatment =
            *self.rng.pick(&[Treatment::SeparateContract, Treatment::Prospective, Treatment::CumulativeCatchUp]);
        let contract = self.deals[deal].id.clone();
        self.emit(ContractModified {
            contract: contract.clone(),
            effective_on: effective,
            treatment,
            changes: vec![LineChange::Add { line: l.clone() }],
        })?;
        self.deals[deal].lines.push(DealLine {
            line: l.clone(),
            term,
            term_start,
            term_end,
            annual: monthly * 12,
            removed_on: None,
        });
        let sub = Contract {
            contract: contract.to_string(),
            customer: String::new(),
            currency,
            start_date: term_start,
            end_date: term_end,
            billing_frequency: frequency,
            payment_terms: terms,
            lines: vec![l.clone()],
        };
        self.schedule_fixed_billing(deal, &sub)
    }

    /// Ends a live deal early. `reason` is the churn reason, or one drawn
    /// at random.
    pub(super) fn cancel(&mut self, deal: usize, term: u32, reason: Option<&str>) -> Result<(), Error> {
        let d = &self.deals[deal];
        if d.term != term || !d.is_live(self.today) {
            return Ok(());
        }
        let reason = match reason {
            Some(r) => r.to_string(),
            None => (*self.rng.pick(CHURN_REASONS)).to_string(),
        };
        let effective_on = (self.today + Duration::days(self.rng.range(0, 14))).max(d.term_start).min(d.term_end);
        self.emit(ContractCancelled { contract: d.id.clone(), effective_on, reason })?;
        self.deals[deal].cancelled_on = Some(effective_on);
        self.at(effective_on, Task::TermEnded { deal, term });
        Ok(())
    }

    /// Cancels every live deal of `customer` (non-payment).
    pub(super) fn cancel_all(&mut self, customer: usize) -> Result<(), Error> {
        let deals = self.customers[customer].deals.clone();
        for deal in deals {
            let term = self.deals[deal].term;
            self.cancel(deal, term, Some("non-payment"))?;
        }
        Ok(())
    }
}
