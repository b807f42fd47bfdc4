//! Provenance from git (docs/format.md §5): a public document changed after the commit that
//! approved it, and what `public.publish: approved` needs to publish only approved text.

use super::value_at;
use crate::finding::{At, Code, Finding};
use crate::load::records::{PublishFrom, SiteConfig, Visibility};
use crate::load::{DocKind, Site};
use crate::load::{Record, yaml::Positions};
use crate::publish;

/// The SoA approved on a day before some of its control records last changed in git: the
/// approved document is not the one the handbook shows.
fn soa_changed_after_approval(
    site: &Site,
    config: &Record<SiteConfig>,
    findings: &mut Vec<Finding>,
) {
    let Some(soa) = &config.data.soa else {
        return;
    };
    let mut changed: Vec<(crate::load::date::Date, &str)> = (site.controls.iter())
        .filter_map(|c| {
            let day = site.history.last_changed(site.sources.path(c.file))?;
            (day > soa.approved_on).then_some((day, c.data.id.as_str()))
        })
        .collect();
    if changed.is_empty() {
        return;
    }
    changed.sort();
    let newest = changed.last().map(|(day, _)| *day);
    let ids: Vec<&str> = changed.iter().map(|(_, id)| *id).take(8).collect();
    let more = changed.len().saturating_sub(ids.len());
    let listed = format!(
        "{}{}",
        ids.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
    let records = |n: usize| format!("{n} control record{}", if n == 1 { "" } else { "s" });
    // Approved before the repository began, with every record committed once since: they
    // were brought into git after the approval, which may or may not be a change.
    let first_commit = site.history.commits.last().map(|c| c.date);
    let imported = first_commit.is_some_and(|first| soa.approved_on < first)
        && (site.controls.iter())
            .all(|c| site.history.of(site.sources.path(c.file)).nth(1).is_none());
    let (message, help) = match (imported, first_commit) {
        (true, Some(first)) => (
            format!(
                "the SoA (version {}) was approved on {}, before this repository's first commit ({first}): git cannot tell whether the {} committed since are as approved: {listed}",
                soa.version.as_ref() as &str,
                soa.approved_on,
                records(changed.len()),
            ),
            "once the records are reviewed, record the approval in git: raise `soa.version`, set `soa.approved_on` to the day of the review, and commit",
        ),
        _ => (
            format!(
                "the SoA (version {}) was approved on {}, and {} changed after (the last on {}): {listed}",
                soa.version.as_ref() as &str,
                soa.approved_on,
                records(changed.len()),
                newest.map(|d| d.to_string()).unwrap_or_default(),
            ),
            "review the changes and approve the SoA again: raise `soa.version` and set `soa.approved_on`",
        ),
    };
    findings.push(
        Finding::new(Code::ChangedAfterApproval, message)
            .at(value_at(config.file, &config.positions, "soa.approved_on"))
            .help(help),
    );
}

pub fn check(
    site: &Site,
    config: &Record<SiteConfig>,
    today: crate::load::date::Date,
    findings: &mut Vec<Finding>,
) {
    soa_changed_after_approval(site, config, findings);
    let approved_only = config.data.public.publish == PublishFrom::Approved;
    if approved_only && site.history.is_empty() {
        findings.push(
            Finding::new(
                Code::NotCommitted,
                "`publish: approved` publishes documents as their approving commit has them, but there is no git history to read",
            )
            .at(value_at(config.file, &config.positions, "public.publish"))
            .help("build inside the site's git repository (not with `--no-git`, not from a shallow clone), or set `publish: working-tree`"),
        );
        return;
    }
    for (index, document) in site.documents.iter().enumerate() {
        // Restricted documents too: their title and summary are public.
        if publish::document(document).shown == Visibility::Internal {
            continue;
        }
        let record = &document.record;
        let path = site.sources.path(record.file);
        let approval = site.history.approvals.get(path);
        let at = approved_at(record.file, &record.positions);
        if let Some(why) = site.history.uncertain.get(path) {
            // A page outside approval (no `approved_on`) is published as last committed.
            let page_outside_approval =
                document.kind == DocKind::Page && record.data.approved_on.is_none();
            let (code, help) = if approved_only && page_outside_approval {
                (
                    Code::NotCommitted,
                    "commit it (`git add` the file, then `git commit`): a page without `approved_on` is published as last committed; or mark it `visibility: internal` until then",
                )
            } else if approved_only {
                (
                    Code::NotCommitted,
                    "approve the text as it is now: commit it with a new `approved_on` (and `version`)",
                )
            } else {
                (
                    Code::ChangedAfterApproval,
                    "approve the text as it is now: commit it with a new `approved_on` (and `version`)",
                )
            };
            let message = if approved_only {
                format!("`publish: approved` cannot publish this document: {why}")
            } else {
                format!("which commit approved this document is not certain: {why}")
            };
            findings.push(Finding::new(code, message).at(at).help(help));
            continue;
        }
        match approval {
            // A page without `approved_on` is not under approval; it is published as is.
            None if approved_only
                && (document.kind == DocKind::Policy || record.data.approved_on.is_some()) =>
            {
                findings.push(
                Finding::new(
                    Code::NotCommitted,
                    "this public document has no commit that approves it, so `publish: approved` has no text to publish",
                )
                .at(at)
                .help("commit it with `approved_on` set (or mark it `visibility: internal` until it is approved)"),
                )
            }
            // A page that was under approval stays so: dropping its `approved_on` does
            // not make its new text publishable.
            None if approved_only => {
                if let Some(commit) = once_approved(site, path) {
                    findings.push(
                        Finding::new(
                            Code::NotCommitted,
                            format!(
                                "this page had `approved_on` in commit {} and has none now, so `publish: approved` has no approved text to publish",
                                commit
                            ),
                        )
                        .at(at)
                        .help("approve the current text: set `approved_on` in a new commit"),
                    );
                }
            }
            None => {}
            Some(approval) => {
                // An approval being made in the working copy (new `approved_on` or
                // `version`, not yet committed) is not a change after approval.
                let committed_stamp = site.history.uncommitted.contains(path)
                    && stamp_differs(site, record, approval);
                if !approval.later.is_empty() && !committed_stamp {
                    // The newest few: a long history would bury the message.
                    let mut commits: Vec<String> = (approval.later.iter().take(5))
                        .map(|c| format!("{} {} \"{}\"", c.short_id(), c.date, c.subject))
                        .collect();
                    if approval.later.len() > 5 {
                        commits.push(format!("and {} earlier", approval.later.len() - 5));
                    }
                    findings.push(
                        Finding::new(
                            Code::ChangedAfterApproval,
                            format!(
                                "changed in {} after it was approved in {} ({}): {}",
                                plural(approval.later.len()),
                                approval.approving.short_id(),
                                approval.approving.date,
                                commits.join(", ")
                            ),
                        )
                        .at(at)
                        .help(if approved_only {
                            "only approved text is published (`publish: approved`); to publish the changes, approve them: set `approved_on` (and `version`) in a new commit"
                        } else {
                            "approve the change (set `approved_on`, and `version`, in a new commit), or set `public.publish: approved` in site.yaml so that only approved text is published"
                        }),
                    );
                }
            }
        }
        // The approved text is what is published: one that the working copy has mended
        // (a title that said TODO) still holds the page back.
        let (_, published) = publish::published(site, index);
        if let Some(why) = published.withheld
            && published != publish::document(document)
        {
            super::links::withheld(document, (why, published.field, true), findings);
        }
        if let Some(earlier) = site.approved_versions.get(&index)
            && let Some(line) = hidden_since_approval(site, document, earlier)
        {
            findings.push(
                Finding::new(
                    Code::HiddenSinceApproval,
                    "this text is hidden here (in an internal block or a comment), but the approved text, which is what `publish: approved` publishes, shows it",
                )
                .at(At {
                    file: record.file,
                    span: line,
                })
                .help("approve the current text (a new commit with `approved_on`), or mark the document `visibility: internal` until it is approved"),
            );
        }
        if let Some(earlier) = site.approved_versions.get(&index)
            && !earlier.outline.marker_errors.is_empty()
        {
            findings.push(
                Finding::new(
                    Code::InternalMarkerMalformed,
                    "the approved text of this document has an internal marker that is malformed or unclosed, so which of it is public is not certain",
                )
                .at(At {
                    file: earlier.record.file,
                    span: earlier.body_start..earlier.body_start,
                })
                .help("approve the current text (a new commit with `approved_on`), in which the markers are right"),
            );
        }
    }
    short_notice(site, config, today, findings);
}

/// The first word of the working copy that is hidden (inside an internal block or a
/// comment) where the approved text, which `publish: approved` publishes, shows it: a pair
/// of neighbouring words, one of them hidden, that the approved public text has and the
/// working public text has not. Compared as a reader reads them (`super::words`), so a
/// paragraph re-wrapped, re-marked-up, renumbered or partly reworded is still found;
/// marking it internal would otherwise withdraw it only at the next approval.
fn hidden_since_approval(
    site: &Site,
    working: &crate::load::Document,
    approved: &crate::load::Document,
) -> Option<std::ops::Range<usize>> {
    use super::words::{Word, words};
    use crate::load::markers::{CommentKind, classify};
    use crate::model::strip::{comment_ranges, public_body};
    let body = |d: &crate::load::Document| &site.sources.get(d.record.file).text[d.body_start..];
    let (working_body, approved_body) = (body(working), body(approved));
    // Pairs that tell something: not two words that join any sentence, such as `of the`.
    const JOINING: [&str; 24] = [
        "a", "an", "and", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
        "or", "our", "that", "the", "this", "to", "we", "with", "are", "not",
    ];
    let telling = |a: &Word, b: &Word| {
        !(JOINING.contains(&a.text.as_str()) && JOINING.contains(&b.text.as_str()))
    };
    let pairs = |text: &str| -> crate::hash::HashSet<(String, String)> {
        (words(text).windows(2))
            .filter(|pair| telling(&pair[0], &pair[1]))
            .map(|pair| (pair[0].text.clone(), pair[1].text.clone()))
            .collect()
    };
    let approved_shows = pairs(&public_body(
        approved_body,
        &approved.outline.internal_blocks,
    ));
    let working_shows = pairs(&public_body(working_body, &working.outline.internal_blocks));
    let comments = comment_ranges(working_body);
    // The markers themselves are no text; what they and comments hold is hidden.
    let markers: Vec<&std::ops::Range<usize>> = (comments.iter())
        .filter(|c| {
            let inner = working_body[(*c).clone()]
                .trim_start_matches("<!--")
                .trim_end_matches("-->");
            matches!(classify(inner), CommentKind::Marker(_))
        })
        .collect();
    let hidden = |at: usize| {
        (working.outline.internal_blocks.iter()).any(|b| b.contains(&at))
            || comments.iter().any(|c| c.contains(&at))
    };
    let read: Vec<(Word, bool)> = (words(working_body).into_iter())
        .filter(|w| !markers.iter().any(|m| m.contains(&w.at.start)))
        .map(|w| {
            let is_hidden = hidden(w.at.start);
            (w, is_hidden)
        })
        .collect();
    read.windows(2).find_map(|pair| {
        let [(a, a_hidden), (b, b_hidden)] = pair else {
            return None;
        };
        let key = (a.text.clone(), b.text.clone());
        let shown_then_hidden_now = (*a_hidden || *b_hidden)
            && telling(a, b)
            && approved_shows.contains(&key)
            && !working_shows.contains(&key);
        let word = if *a_hidden { a } else { b };
        shown_then_hidden_now
            .then(|| working.body_start + word.at.start..working.body_start + word.at.end)
    })
}

/// The newest commit in which the document at `path` had `approved_on`, if any.
fn once_approved(site: &Site, path: &std::path::Path) -> Option<String> {
    let history = &site.history;
    history.indexed(path).find_map(|(_, commit)| {
        let meta = crate::load::document_meta(&history.text_at(&commit.id, path)?)?;
        meta.approved_on.map(|_| commit.short_id().to_string())
    })
}

fn approved_at(file: usize, positions: &Positions) -> At {
    match positions.exact("approved_on") {
        Some(span) => At { file, span },
        None => At { file, span: 0..0 },
    }
}

/// Whether the working copy's `approved_on`/`version` differ from the approving commit's.
fn stamp_differs(
    site: &Site,
    record: &Record<crate::load::records::DocumentMeta>,
    approval: &crate::history::approval::Approval,
) -> bool {
    let committed = (site.history)
        .text_at(&approval.approving.id, &approval.path)
        .and_then(|bytes| crate::load::document_meta(&bytes));
    committed.is_none_or(|meta| {
        meta.approved_on != record.data.approved_on || meta.version != record.data.version
    })
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 commit".to_string()
    } else {
        format!("{n} commits")
    }
}

/// A public supplier announced (first committed) fewer days before it starts than the
/// notice `site.yaml` promises customers.
fn short_notice(
    site: &Site,
    config: &Record<SiteConfig>,
    today: crate::load::date::Date,
    findings: &mut Vec<Finding>,
) {
    let Some(notice) = config.data.suppliers.notice_days else {
        return;
    };
    for supplier in &site.suppliers {
        let data = &supplier.data;
        if publish::of(&data).shown != Visibility::Public {
            continue;
        }
        let path = site.sources.path(supplier.file);
        let short = crate::model::supplier_announced(site, path, today).and_then(|announced| {
            crate::model::supplier_short_notice(site, data, announced, Some(notice))
        });
        let Some(short) = short else {
            continue;
        };
        let (announced, given) = (short.announced, short.days_before);
        if given <= 0 {
            findings.push(
                Finding::new(
                    Code::ShortNotice,
                    format!(
                        "supplier `{}` started on {} but was announced only on {announced}, {}, while customers are promised {notice} days' notice",
                        data.id,
                        data.since,
                        match -given {
                            0 => "the same day".to_string(),
                            1 => "a day later".to_string(),
                            days => format!("{days} days later"),
                        }
                    ),
                )
                .at(value_at(supplier.file, &supplier.positions, "since"))
                .help("the suppliers page says it was announced late; tell the affected customers directly, and announce the next supplier when it is chosen, before it starts"),
            );
            continue;
        }
        findings.push(
            Finding::new(
                Code::ShortNotice,
                format!(
                    "supplier `{}` was announced on {announced}, {given} days before it starts on {}, but customers are promised {notice} days' notice",
                    data.id, data.since
                ),
            )
            .at(value_at(supplier.file, &supplier.positions, "since"))
            .help(format!("move `since` to {notice} days after it was announced or later; otherwise the suppliers page says it had {given} days' notice, and the affected customers should be told directly")),
        );
    }
}
