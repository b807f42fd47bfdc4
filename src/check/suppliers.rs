//! Suppliers and the AI systems that name them: the public card must not contradict the
//! records it is made from, nor point at a supplier the public may not see.

use super::value_at;
use crate::finding::{Code, Finding};
use crate::hash::HashMap;
use crate::load::Site;
use crate::load::records::{Dpa, Visibility};
use crate::publish;

pub fn check(site: &Site, findings: &mut Vec<Finding>) {
    for supplier in &site.suppliers {
        // A DPA is `true`, `false` or where it is: any other text (`no`, `N/A`) would be
        // read as "there is one".
        if let Some(Dpa::At(text)) = &supplier.data.dpa
            && !super::evidence::is_web_address(text)
        {
            findings.push(
                Finding::new(Code::BadValue, format!("`dpa` `{text}` is neither true, false nor a web address"))
                    .at(value_at(supplier.file, &supplier.positions, "dpa"))
                    .help("write `dpa: true` or `dpa: false` (unquoted), or the https:// address of the agreement"),
            );
        }
    }
    let suppliers: HashMap<&str, _> = (site.suppliers.iter())
        .map(|s| (s.data.id.as_str(), s))
        .collect();
    for system in &site.systems {
        let data = &system.data;
        let at = |path: &str| value_at(system.file, &system.positions, path);
        if data.supplier.is_some() {
            findings.push(
                Finding::new(
                    Code::DeprecatedField,
                    "`supplier` (free text) is replaced by `suppliers`, a list of supplier ids",
                )
                .at(at("supplier"))
                .help("add a record in content/suppliers/ (see the `.example` file `trustbook init` writes) and write `suppliers: [its id]` here; this field still loads, but is never published"),
            );
        }
        let shown = publish::of(&data).shown;
        for (i, id) in data.suppliers.iter().enumerate() {
            let Some(supplier) = suppliers.get(id.as_str()) else {
                continue; // reported as a missing reference
            };
            let named = &supplier.data;
            let supplier_shown = publish::of(&named).shown;
            // A visibility written wrongly (`Public`) is its own error, and the record
            // loads without it (internal): "mark it public" is what its writer just tried.
            let loaded = serde_json::to_value(named.visibility).ok();
            let misspelt = (supplier.positions.exact("visibility"))
                .and_then(|span| site.sources.get(supplier.file).text.get(span))
                .is_some_and(|written| {
                    let written = written.trim().trim_matches(['"', '\'']);
                    loaded.as_ref().and_then(|v| v.as_str()) != Some(written)
                });
            if shown == Visibility::Public && supplier_shown == Visibility::Internal && !misspelt {
                findings.push(
                    Finding::new(
                        Code::SupplierNotPublic,
                        format!(
                            "public system `{}` names supplier `{id}`, which is not published: its card says \"a third-party provider\"",
                            data.id
                        ),
                    )
                    .at(value_at(system.file, &system.positions, &format!("suppliers.{i}")))
                    .help(format!("to name it, mark `{id}` `visibility: public` with a `public_summary`; otherwise nothing needs doing")),
                );
            }
            if data.customer_data_used_for_training == Some(false) && named.trains_on_customer_data
            {
                findings.push(
                    Finding::new(
                        Code::DataUseContradiction,
                        format!(
                            "`{}` says customer data is not used for training, but its supplier `{id}` trains on customer data",
                            data.id
                        ),
                    )
                    .at(at("customer_data_used_for_training"))
                    .note(
                        value_at(supplier.file, &supplier.positions, "trains_on_customer_data"),
                        "the supplier's record says it does",
                    )
                    .help("correct whichever record is wrong; if the supplier trains only on data this system never sends it, say so in the supplier's `notes` and set its `trains_on_customer_data` to what holds for your data"),
                );
            }
        }
    }
}
