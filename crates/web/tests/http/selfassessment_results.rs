//! selfassessment_results
