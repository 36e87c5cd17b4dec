//! Commands: validation against current state, then events (being built).
