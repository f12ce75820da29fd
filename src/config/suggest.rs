//! "Did you mean" for misspelt zones, ids and keys.

use std::str::FromStr;

use chrono_tz::Tz;

/// Up to three candidates close to `input`, closest first.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    ranked(input, candidates)
        .into_iter()
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

/// Input longer than this is not a misspelling of anything; comparing it would only cost
/// time (the edit distance is quadratic in the lengths).
const MAX_INPUT: usize = 64;

/// Every candidate close enough to `input` with its distance, closest first.
fn ranked<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<(usize, &'a str)> {
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
    scored
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
        let ranked = ranked(name, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()));
        let best = ranked.first().map_or(0, |&(d, _)| d);
        let names: Vec<&str> = ranked
            .into_iter()
            .filter_map(|(d, n)| current_name(n, d == best))
            .fold(Vec::new(), |mut names, n| {
                if !names.contains(&n) {
                    names.push(n);
                }
                names
            });
        let list: Vec<String> = names.iter().take(3).map(|c| format!("`{c}`")).collect();
        if list.is_empty() {
            ZONE_HELP.into()
        } else {
            format!("did you mean {}?", join_or(&list))
        }
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

/// The name a suggestion should teach for a zone name of the tz database, or None for an old
/// name that has no single current one (`EST5EDT`, `Etc/GMT0`). An old name is replaced by its
/// current one only when it is the `best` match: "Asia/Calcuta" means Kolkata, but a far
/// match such as `Europe/Belfast` for "Europe/Bucharet" would suggest London.
///
/// The database keeps renamed zones (`Asia/Calcutta`, `Europe/Kiev`) and old country-style
/// names (`Japan`, `US/Pacific`) as links in its `backward` file, and chrono-tz accepts them,
/// but it exposes no link table. So the names people still type are mapped here by hand. Links
/// of the same file such as `Europe/Stockholm` are left alone: they are the right name for
/// their country even though they share another zone's rules.
fn current_name(name: &str, best: bool) -> Option<&str> {
    if let Some(&(_, current)) = RENAMED.iter().find(|(old, _)| *old == name) {
        return best.then_some(current);
    }
    let old_style = !name.contains('/') && name != "UTC"
        || ["US/", "Canada/", "Mexico/", "Brazil/", "Chile/"]
            .iter()
            .any(|p| name.starts_with(p));
    (!old_style).then_some(name)
}

/// A zone's current name: `Asia/Kolkata` for `Asia/Calcutta`; other names as they are.
pub fn current_zone_name(name: &str) -> &str {
    RENAMED
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |&(_, current)| current)
}

const RENAMED: &[(&str, &str)] = &[
    ("Africa/Asmera", "Africa/Asmara"),
    ("America/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ("America/Fort_Wayne", "America/Indiana/Indianapolis"),
    ("America/Godthab", "America/Nuuk"),
    ("America/Indianapolis", "America/Indiana/Indianapolis"),
    ("America/Montreal", "America/Toronto"),
    ("Asia/Ashkhabad", "Asia/Ashgabat"),
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Asia/Chongqing", "Asia/Shanghai"),
    ("Asia/Chungking", "Asia/Shanghai"),
    ("Asia/Dacca", "Asia/Dhaka"),
    ("Asia/Harbin", "Asia/Shanghai"),
    ("Asia/Istanbul", "Europe/Istanbul"),
    ("Asia/Katmandu", "Asia/Kathmandu"),
    ("Asia/Macao", "Asia/Macau"),
    ("Asia/Rangoon", "Asia/Yangon"),
    ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
    ("Asia/Tel_Aviv", "Asia/Jerusalem"),
    ("Asia/Thimbu", "Asia/Thimphu"),
    ("Asia/Ujung_Pandang", "Asia/Makassar"),
    ("Asia/Ulan_Bator", "Asia/Ulaanbaatar"),
    ("Atlantic/Faeroe", "Atlantic/Faroe"),
    ("Australia/ACT", "Australia/Sydney"),
    ("Australia/Canberra", "Australia/Sydney"),
    ("Australia/NSW", "Australia/Sydney"),
    ("Australia/North", "Australia/Darwin"),
    ("Australia/Queensland", "Australia/Brisbane"),
    ("Australia/South", "Australia/Adelaide"),
    ("Australia/Tasmania", "Australia/Hobart"),
    ("Australia/Victoria", "Australia/Melbourne"),
    ("Australia/West", "Australia/Perth"),
    ("Brazil/East", "America/Sao_Paulo"),
    ("Canada/Atlantic", "America/Halifax"),
    ("Canada/Central", "America/Winnipeg"),
    ("Canada/Eastern", "America/Toronto"),
    ("Canada/Mountain", "America/Edmonton"),
    ("Canada/Newfoundland", "America/St_Johns"),
    ("Canada/Pacific", "America/Vancouver"),
    ("Chile/Continental", "America/Santiago"),
    ("Egypt", "Africa/Cairo"),
    ("Eire", "Europe/Dublin"),
    ("Etc/UCT", "UTC"),
    ("Etc/UTC", "UTC"),
    ("Etc/Universal", "UTC"),
    ("Etc/Zulu", "UTC"),
    ("Europe/Belfast", "Europe/London"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("Europe/Nicosia", "Asia/Nicosia"),
    ("Europe/Tiraspol", "Europe/Chisinau"),
    ("Europe/Uzhgorod", "Europe/Kyiv"),
    ("Europe/Zaporozhye", "Europe/Kyiv"),
    ("GB", "Europe/London"),
    ("Hongkong", "Asia/Hong_Kong"),
    ("Iran", "Asia/Tehran"),
    ("Israel", "Asia/Jerusalem"),
    ("Japan", "Asia/Tokyo"),
    ("Mexico/General", "America/Mexico_City"),
    ("NZ", "Pacific/Auckland"),
    ("PRC", "Asia/Shanghai"),
    ("Pacific/Enderbury", "Pacific/Kanton"),
    ("Pacific/Samoa", "Pacific/Pago_Pago"),
    ("Poland", "Europe/Warsaw"),
    ("Portugal", "Europe/Lisbon"),
    ("ROC", "Asia/Taipei"),
    ("ROK", "Asia/Seoul"),
    ("Singapore", "Asia/Singapore"),
    ("Turkey", "Europe/Istanbul"),
    ("UCT", "UTC"),
    ("US/Alaska", "America/Anchorage"),
    ("US/Arizona", "America/Phoenix"),
    ("US/Central", "America/Chicago"),
    ("US/Eastern", "America/New_York"),
    ("US/Hawaii", "Pacific/Honolulu"),
    ("US/Mountain", "America/Denver"),
    ("US/Pacific", "America/Los_Angeles"),
    ("Universal", "UTC"),
    ("Zulu", "UTC"),
];

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
    fn zone_suggestions_name_the_current_zone_not_its_old_name() {
        let hint = time_zone("Asia/Calcuta").unwrap_err();
        assert!(hint.contains("`Asia/Kolkata`"), "{hint}");
        assert!(!hint.contains("Calcutta"), "{hint}");
        let hint = time_zone("Europe/Kiew").unwrap_err();
        assert!(hint.starts_with("did you mean `Europe/Kyiv`"), "{hint}");
        let hint = time_zone("Europe/Bucharet").unwrap_err();
        assert!(!hint.contains("London"), "{hint}");
        let hint = time_zone("Stockholm").unwrap_err();
        assert!(hint.contains("`Europe/Stockholm`"), "{hint}");
    }

    #[test]
    fn every_renamed_zone_points_at_a_zone_that_exists() {
        for (old, current) in RENAMED {
            assert!(Tz::from_str(old).is_ok(), "{old}");
            assert!(Tz::from_str(current).is_ok(), "{current}");
        }
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
