//! `Mrr`: monthly recurring revenue per customer and its monthly movements.
