//! `FileLog`: the embedded, durable event log (being built).
