//! Filled in by the budget work (issue 5).
