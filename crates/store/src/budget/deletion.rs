//! Deleting a care product. Realised volumes and trend inputs are history that must keep their
//! product, so either refuses the deletion (the controller deactivates the product instead). Norm
//! times are the product's own master data: they go with it, each audited as its own deletion, so
//! that a product entered by mistake can be removed with what was entered for it.

use super::norm_times::delete_product_norm_times;
use super::{CareProduct, delete_id_row, id_row};
use crate::audit::Who;
use crate::{PgConnection, StoreError};
use domain::ids::CareProductId;
use serde::Serialize;

/// What refers to a care product, each as the budget years concerned (ascending).
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow, Serialize)]
pub struct ProductReferences {
    /// Years with realised volumes (of current imports; a replaced import has lost its rows).
    pub volume_years: Vec<i16>,
    /// Years of trend inputs that name the product, whatever their status.
    pub trend_input_years: Vec<i16>,
    /// Years with a norm time; these are deleted with the product.
    pub norm_time_years: Vec<i16>,
}

impl ProductReferences {
    pub fn blocks_deletion(&self) -> bool {
        !self.volume_years.is_empty() || !self.trend_input_years.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ProductDeletion {
    /// Deleted, together with its norm times of these years.
    Deleted { norm_time_years: Vec<i16> },
    /// Nothing was changed: volumes or trend inputs refer to the product.
    Refused(ProductReferences),
}

/// What refers to a care product, to tell before deleting whether it can be deleted; on any
/// connection (a pool, or a transaction's connection).
pub async fn care_product_references(
    executor: impl sqlx::PgExecutor<'_>,
    care_product_id: CareProductId,
) -> Result<ProductReferences, StoreError> {
    Ok(sqlx::query_as(
        "SELECT
             care_product_volume_years($1, (SELECT vakgroep_id FROM care_product WHERE id = $1))
                 AS volume_years,
             ARRAY(SELECT DISTINCT t.year FROM trend_input_product tp
                       JOIN trend_input t ON t.id = tp.trend_input_id
                   WHERE tp.care_product_id = $1 ORDER BY 1) AS trend_input_years,
             ARRAY(SELECT year FROM norm_time WHERE care_product_id = $1 ORDER BY 1)
                 AS norm_time_years",
    )
    .bind(care_product_id.get())
    .fetch_one(executor)
    .await?)
}

/// Deletes a care product and its norm times, unless volumes or trend inputs refer to it
/// (`Refused`, nothing changed). A stale version answers `Conflict`. Should an import or a trend
/// input reach the product between the check and the delete, the database refuses with `InUse`;
/// the caller then drops the transaction, which undoes the norm times' deletion too.
pub async fn delete_care_product(
    conn: &mut PgConnection,
    who: &Who,
    id: CareProductId,
    expected_version: i32,
) -> Result<ProductDeletion, StoreError> {
    // The table lock first, as every other writer of care_product takes it (with its first
    // statement): deleting the norm times below moves the budget revision, and taking the two in
    // the other order could deadlock with a production import, which holds care_product in SHARE
    // mode until its end and then moves the revision.
    sqlx::query("LOCK TABLE care_product IN ROW EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    let current: CareProduct = id_row(&mut *conn, id.get()).await?;
    if current.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let references = care_product_references(&mut *conn, id).await?;
    if references.blocks_deletion() {
        return Ok(ProductDeletion::Refused(references));
    }
    let norm_time_years = delete_product_norm_times(conn, who, id).await?;
    delete_id_row::<CareProduct>(conn, who, id.get(), expected_version).await?;
    Ok(ProductDeletion::Deleted { norm_time_years })
}
