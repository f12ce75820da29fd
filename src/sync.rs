//! What `rota sync` must write so that a CalDAV collection holds exactly a feed: pure, from
//! the feed's resources, the server's listing (names and ETags) and what the last sync wrote.

use std::collections::{BTreeMap, HashMap};

/// One resource a feed wants on the server: `<uid>.ics` holding one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub name: String,
    pub body: String,
    /// A digest of `body`, to tell whether what the server holds is what was put last time.
    pub digest: u64,
}

/// What the last sync put at a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub etag: String,
    pub digest: u64,
}

/// One write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Not on the server: put with `If-None-Match: *`.
    Create { name: String },
    /// On the server but not as wanted: put with `If-Match` its ETag. `changed_on_server`: its
    /// ETag is not the one the last sync got, so someone edited it there since.
    Update {
        name: String,
        etag: String,
        changed_on_server: bool,
    },
    /// On the server but not in the feed: delete with `If-Match` its ETag.
    Delete {
        name: String,
        etag: String,
        changed_on_server: bool,
    },
}

/// The writes that make the collection equal the feed; nothing when the server still holds
/// what the last sync put and the feed has not changed. A resource the last sync did not
/// record (a lost state file) is rewritten rather than trusted.
pub fn plan(
    wanted: &[Wanted],
    server: &HashMap<String, String>,
    last: &BTreeMap<String, Synced>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    for w in wanted {
        match server.get(&w.name) {
            None => actions.push(Action::Create {
                name: w.name.clone(),
            }),
            Some(etag) => {
                let known = last.get(&w.name);
                let changed_on_server = known.is_some_and(|k| &k.etag != etag);
                let same = known.is_some_and(|k| &k.etag == etag && k.digest == w.digest);
                if !same {
                    actions.push(Action::Update {
                        name: w.name.clone(),
                        etag: etag.clone(),
                        changed_on_server,
                    });
                }
            }
        }
    }
    let wanted_names: std::collections::HashSet<&str> =
        wanted.iter().map(|w| w.name.as_str()).collect();
    let mut extra: Vec<(&String, &String)> = server
        .iter()
        .filter(|(name, _)| !wanted_names.contains(name.as_str()))
        .collect();
    extra.sort();
    for (name, etag) in extra {
        actions.push(Action::Delete {
            name: name.clone(),
            etag: etag.clone(),
            changed_on_server: last.get(name).is_none_or(|k| &k.etag != etag),
        });
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(name: &str, digest: u64) -> Wanted {
        Wanted {
            name: name.to_string(),
            body: String::new(),
            digest,
        }
    }

    #[test]
    fn only_what_differs_from_the_last_sync_is_written() {
        let server = HashMap::from([
            ("same.ics".to_string(), "\"1\"".to_string()),
            ("newer.ics".to_string(), "\"2\"".to_string()),
            ("edited.ics".to_string(), "\"9\"".to_string()),
            ("gone.ics".to_string(), "\"4\"".to_string()),
        ]);
        let last = BTreeMap::from([
            (
                "same.ics".to_string(),
                Synced {
                    etag: "\"1\"".into(),
                    digest: 1,
                },
            ),
            (
                "newer.ics".to_string(),
                Synced {
                    etag: "\"2\"".into(),
                    digest: 1,
                },
            ),
            (
                "edited.ics".to_string(),
                Synced {
                    etag: "\"3\"".into(),
                    digest: 1,
                },
            ),
            (
                "gone.ics".to_string(),
                Synced {
                    etag: "\"4\"".into(),
                    digest: 1,
                },
            ),
        ]);
        let feed = [
            wanted("same.ics", 1),
            wanted("newer.ics", 2),
            wanted("edited.ics", 1),
            wanted("new.ics", 1),
        ];
        let actions = plan(&feed, &server, &last);
        assert_eq!(
            actions,
            [
                Action::Update {
                    name: "newer.ics".into(),
                    etag: "\"2\"".into(),
                    changed_on_server: false
                },
                Action::Update {
                    name: "edited.ics".into(),
                    etag: "\"9\"".into(),
                    changed_on_server: true
                },
                Action::Create {
                    name: "new.ics".into()
                },
                Action::Delete {
                    name: "gone.ics".into(),
                    etag: "\"4\"".into(),
                    changed_on_server: false
                },
            ]
        );
        let all_same = [wanted("same.ics", 1)];
        let only_same = HashMap::from([("same.ics".to_string(), "\"1\"".to_string())]);
        assert!(plan(&all_same, &only_same, &last).is_empty());
    }
}
