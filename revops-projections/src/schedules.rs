//! `RevenueSchedules`: recognition schedules per contract and line, and the waterfall.
