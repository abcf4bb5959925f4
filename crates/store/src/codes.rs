//! How the store decodes the domain's codes from rows (architecture.md: what crosses the store
//! boundary is typed). A `text` column decodes straight into a domain enum with
//! `#[sqlx(try_from = "String")]`, through the enum's strict `TryFrom<String>`; a nullable
//! column with `#[sqlx(try_from = "NullableCode")]` into `Option<Enum>`; a `text[]` column with
//! `#[sqlx(try_from = "CodeList")]` into `Vec<Enum>`. A code the domain does not know is a
//! decode error (`sqlx::Error::ColumnDecode`), never a default.
//!
//! Ids decode the same way into the domain's newtypes: `#[sqlx(try_from = "i64")]`, and
//! `NullableId` / `IdList` for nullable and array columns. Inputs bind codes with `.code()` and
//! ids with `.get()`.

use domain::codes::UnknownCode;

/// A nullable code column.
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent, no_pg_array)]
pub struct NullableCode(Option<String>);

impl<T: TryFrom<String, Error = UnknownCode>> TryFrom<NullableCode> for Option<T> {
    type Error = UnknownCode;

    fn try_from(code: NullableCode) -> Result<Self, UnknownCode> {
        code.0.map(T::try_from).transpose()
    }
}

/// A `text[]` column of codes.
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent, no_pg_array)]
pub struct CodeList(Vec<String>);

impl<T: TryFrom<String>> TryFrom<CodeList> for Vec<T> {
    type Error = T::Error;

    fn try_from(codes: CodeList) -> Result<Self, T::Error> {
        codes.0.into_iter().map(T::try_from).collect()
    }
}

/// A nullable id column.
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent, no_pg_array)]
pub struct NullableId(Option<i64>);

impl<T: From<i64>> From<NullableId> for Option<T> {
    fn from(id: NullableId) -> Self {
        id.0.map(T::from)
    }
}

/// A `bigint[]` column of ids.
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent, no_pg_array)]
pub struct IdList(Vec<i64>);

impl<T: From<i64>> From<IdList> for Vec<T> {
    fn from(ids: IdList) -> Self {
        ids.0.into_iter().map(T::from).collect()
    }
}
