//! selfassessment_manage
