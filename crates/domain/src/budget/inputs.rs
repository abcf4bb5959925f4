//! What the engine computes from: plain data as the store reads it, one [`VakgroepInput`] per
//! vakgroep with its care products, KPIs and the trend inputs to apply.

use crate::agreements::kpi::Direction;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Which index a KPI feeds (seed 003 Bijlage 2: efficiency §1.C, passende zorg §2).
    KpiKind {
        Efficiency => "efficiency", "Efficiency";
        PassendeZorg => "passende_zorg", "Passende zorg";
    }
}

code_enum! {
    /// Why a vakgroep expects its volumes to change (D3).
    TrendCategory {
        Demografie => "demografie", "Demografie";
        Substitutie => "substitutie", "Substitutie naar eerste lijn/thuis";
        PassendeZorg => "passende_zorg", "Passende zorg-initiatief";
        Concentratie => "concentratie", "Concentratie";
        Portfoliokeuze => "portfoliokeuze", "Portfoliokeuze";
        Overig => "overig", "Overig";
    }
}

code_enum! {
    /// What a trend input is about, as stored: the whole vakgroep or chosen care products.
    ScopeKind {
        Vakgroep => "vakgroep", "Hele vakgroep";
        Zorgproducten => "zorgproducten", "Gekozen zorgproducten";
    }
}

code_enum! {
    /// How a trend input's value reads, as stored: percent points or a volume.
    ChangeKind {
        Percentage => "percentage", "Percentage";
        Absoluut => "absoluut", "Absoluut volume";
    }
}

/// A care product (zorgproduct or zorgactiviteit) of one vakgroep with its norm time for the budget
/// year and its baseline volume B (the realised volume of the reference year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareProduct {
    pub id: i64,
    pub code: String,
    /// Minutes of specialist time per unit; must be ≥ 0.
    pub norm_minutes: Decimal,
    /// `B[v,p]`; must be ≥ 0.
    pub baseline: Decimal,
}

/// One benchmark KPI of a vakgroep: a local value against a reference value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiInput {
    pub code: String,
    pub kind: KpiKind,
    pub direction: Direction,
    pub reference: Decimal,
    pub local: Decimal,
}

/// Which care products a trend input is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrendScope {
    /// Every care product of the vakgroep.
    Vakgroep,
    /// The care products with these ids (of the same vakgroep).
    Products(Vec<i64>),
}

impl TrendScope {
    /// A stored scope: its kind and, for chosen care products, their ids.
    pub fn from_stored(kind: ScopeKind, product_ids: impl IntoIterator<Item = i64>) -> Self {
        match kind {
            ScopeKind::Vakgroep => TrendScope::Vakgroep,
            ScopeKind::Zorgproducten => TrendScope::Products(product_ids.into_iter().collect()),
        }
    }

    pub fn kind(&self) -> ScopeKind {
        match self {
            TrendScope::Vakgroep => ScopeKind::Vakgroep,
            TrendScope::Products(_) => ScopeKind::Zorgproducten,
        }
    }

    /// The chosen care products; none for the whole vakgroep.
    pub fn product_ids(&self) -> &[i64] {
        match self {
            TrendScope::Vakgroep => &[],
            TrendScope::Products(ids) => ids,
        }
    }
}

/// The expected change. A percentage is in percent (`2.5` is +2,5 %), as people type it; an
/// absolute change is a volume (units of the care products), for the scope as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrendChange {
    Percent(Decimal),
    Absolute(Decimal),
}

impl TrendChange {
    /// A stored change: its kind and value.
    pub fn new(kind: ChangeKind, value: Decimal) -> Self {
        match kind {
            ChangeKind::Percentage => TrendChange::Percent(value),
            ChangeKind::Absoluut => TrendChange::Absolute(value),
        }
    }

    pub fn kind(self) -> ChangeKind {
        match self {
            TrendChange::Percent(_) => ChangeKind::Percentage,
            TrendChange::Absolute(_) => ChangeKind::Absoluut,
        }
    }

    pub fn value(self) -> Decimal {
        match self {
            TrendChange::Percent(v) | TrendChange::Absolute(v) => v,
        }
    }

    /// The change as text: `+2,5 %` or `−120`.
    pub fn text(self) -> String {
        let value = self.value();
        let sign = if value > Decimal::ZERO { "+" } else { "" };
        let number = crate::nl::number(value, value.normalize().scale().min(2));
        match self {
            TrendChange::Absolute(_) => format!("{sign}{number}"),
            TrendChange::Percent(_) => format!("{sign}{number} %"),
        }
    }
}

/// A trend input as the engine applies it. Which inputs to pass is the caller's choice: the
/// budget passes the accepted ones ([`super::TrendStatus::counts_in_budget`]), the preview on the
/// input form passes those plus the one being drafted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendInput {
    pub id: i64,
    pub scope: TrendScope,
    pub change: TrendChange,
    pub category: TrendCategory,
}

/// Everything the engine needs about one vakgroep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VakgroepInput {
    pub id: i64,
    pub code: String,
    /// Benchmark productivity: norm hours that one fte delivers in a year. Missing or 0 is
    /// reported for this vakgroep; its norm-fte is then not computed.
    pub normuren_per_fte: Option<Decimal>,
    /// Formative fte for patient care (categories 1a + 1b).
    pub formatief_fte: Decimal,
    /// Last year's adopted norm-fte: the grondslag option "norm-fte vorig jaar" of variant 3.
    pub last_year_norm_fte: Option<Decimal>,
    pub products: Vec<CareProduct>,
    pub kpis: Vec<KpiInput>,
    pub trends: Vec<TrendInput>,
}

/// The whole hospital for one budget year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetInput {
    pub vakgroepen: Vec<VakgroepInput>,
}
