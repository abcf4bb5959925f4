//! Agreements register (product.md B1–B4): the vocabularies of an agreement, its status flow,
//! KPI monitoring with traffic lights, and the compliance rate (nakomingsgraad). Plain functions
//! over plain data; the store and web crates supply the rows and show the results.

pub mod attention;
pub mod compliance;
pub mod draft;
pub mod kinds;
pub mod kpi;
pub mod progress;
pub mod status;
