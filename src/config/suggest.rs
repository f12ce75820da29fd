//! "Did you mean" for misspelt zones, ids and keys.

use std::str::FromStr;

use chrono_tz::Tz;

/// Input longer than this is not a misspelling of anything; comparing it would only cost
/// time (the edit distance is quadratic in the lengths).
const MAX_INPUT: usize = 64;

/// Up to three candidates close to `input`, closest first.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    if input.len() > 4 * MAX_INPUT || input.chars().count() > MAX_INPUT {
        return Vec::new();
    }
    let wanted = input.to_lowercase();
    let wanted_len = wanted.chars().count();
    let limit = (wanted_len / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            // The edit distance is at least the difference in length: most candidates are
            // ruled out without computing it.
            if c.len() > 4 * MAX_INPUT {
                return None;
            }
            let lower = c.to_lowercase();
            let city_len = lower.rsplit('/').next().map_or(0, |c| c.chars().count());
            let len = lower.chars().count();
            if len.abs_diff(wanted_len) > limit && city_len.abs_diff(wanted_len) > limit {
                return None;
            }
            // A zone is often misspelt by its city alone: "Bucharest" for "Europe/Bucharest".
            let city = lower.rsplit('/').next().unwrap_or(&lower);
            let d = strsim::levenshtein(&wanted, &lower).min(strsim::levenshtein(&wanted, city));
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort_by_key(|&(d, c)| (d, c.len()));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// `did you mean `a`, `b`?` or None when nothing is close.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let found = closest(input, candidates);
    if found.is_empty() {
        return None;
    }
    let list: Vec<String> = found.iter().map(|c| format!("`{c}`")).collect();
    Some(format!("did you mean {}?", join_or(&list)))
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// An IANA zone by name (any case), or a hint naming the closest ones.
pub fn time_zone(name: &str) -> Result<Tz, String> {
    zone(name).ok_or_else(|| {
        did_you_mean(name, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()))
            .unwrap_or_else(|| ZONE_HELP.into())
    })
}

/// The hint for an unknown zone when no name is close.
pub const ZONE_HELP: &str =
    "use an IANA time zone name such as `Europe/Berlin`, `America/New_York` or `UTC`";

/// An IANA zone by name (any case), without looking for suggestions.
pub fn zone(name: &str) -> Option<Tz> {
    Tz::from_str(name)
        .or_else(|_| Tz::from_str_insensitive(name))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_zone_suggests_the_real_one() {
        let hint = time_zone("Europe/Bucharet").unwrap_err();
        assert!(hint.contains("`Europe/Bucharest`"), "{hint}");
        let hint = time_zone("Bucharest").unwrap_err();
        assert!(hint.contains("`Europe/Bucharest`"), "{hint}");
    }

    #[test]
    fn zone_names_are_case_insensitive() {
        assert_eq!(
            time_zone("europe/berlin").unwrap(),
            chrono_tz::Europe::Berlin
        );
    }

    #[test]
    fn unknown_id_suggests_closest_id() {
        let ids = ["ana", "mehmet", "sarah"];
        assert_eq!(
            did_you_mean("mehmed", ids).unwrap(),
            "did you mean `mehmet`?"
        );
        assert!(did_you_mean("zzzzzzzz", ids).is_none());
    }

    #[test]
    fn absurdly_long_input_gets_no_suggestion_and_costs_nothing() {
        let long = "Europe/".repeat(150_000);
        let started = std::time::Instant::now();
        assert!(time_zone(&long).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
