//! Monitoring (D10, docs/monitoring.md): the year's realisation per vakgroep against its adopted
//! budget, month by month, with a forecast and a signal above the year's threshold; a signal
//! becomes a proposed agreement in the register ([`propose`]).
//!
//! The figures are computed once per budget revision and kept (`shared::monitoring`, which the
//! dashboard reads too); every reader's page is cut from the same figures.

mod page;
mod propose;

use crate::shared::routes::{Access, RouteDef, get, post};
use domain::authz::Capability;

pub(super) fn routes() -> Vec<RouteDef> {
    let view = Access::Needs(Capability::ViewBudget);
    vec![
        get("/begroting/monitoring", view, page::hospital),
        get(
            "/begroting/monitoring/vakgroepen/{vakgroep}",
            view,
            page::vakgroep,
        ),
        post(
            "/begroting/monitoring/vakgroepen/{vakgroep}/afspraak",
            Access::Needs(Capability::ProposeBudgetAgreement),
            propose::propose,
        ),
    ]
}
