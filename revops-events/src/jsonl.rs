//! JSON Lines import and export (being built).
