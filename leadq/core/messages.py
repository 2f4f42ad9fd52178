"""Every message leadq can say, in one table: a key → code, message and hint templates.

Passes raise or report *findings* (a key, a span, fields); `render_message` fills the
templates. A field holding a `Span` is shown as the source text it covers. The tests give
every key an input and check the sentence it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from .span import Span


class Message(NamedTuple):
    code: str
    text: str
    hint: str | None = None
    #: what the command line says instead, where the library's words are Python's
    cli_text: str | None = None
    cli_hint: str | None = None


_PLAN = "run `leadq.plan()` (or `leadq explain`) for the requests, and merge their results by id"
#: The same, in the command line's words.
_PLAN_CLI = "`leadq explain` lists the requests; `leadq fetch` runs them and merges their results by id"

MESSAGES: dict[str, Message] = {
    # -- syntax ------------------------------------------------------------------------
    "unexpected_character": Message("E101", "unexpected character `{char}`"),
    "unexpected_character_quote": Message(
        "E101", "unexpected character `{char}` in a value", "quote the value: `{fix}`"
    ),
    "non_ascii_digit": Message(
        "E101",
        "`{char}` is a digit of another script; numbers, ids and dates take ASCII digits 0-9 only",
        "retype the number with the digits 0-9",
    ),
    "bad_datetime_form": Message(
        "E101",
        "`{value}` is not a datetime leadq reads: {why}",
        "write 2024-01-31, 2024-01-31T10:00, 2024-01-31T10:00:00, optionally followed by Z or +03:00",
    ),
    "unexpected_token": Message("E102", "expected {expected}{after}, found {found}"),
    "unexpected_token_keyword": Message(
        "E102",
        "expected {expected}{after}, found {found}",
        '`{token}` is a keyword; to use it as a value, quote it: "{token}"',
    ),
    "unexpected_token_operator": Message(
        "E102", "expected {expected}{after}, found {found}", "did you mean `{previous} = {token}`?"
    ),
    "unexpected_end": Message("E103", "expected {expected}{after}, found the end of the filter"),
    "unterminated_string": Message("E104", "this string has no closing quote", "end the string with {quote}"),
    "bad_escape": Message(
        "E105",
        "unknown escape `\\{char}` in a string",
        "only \\\" \\' and \\\\ are escapes; write a lone backslash as \\\\",
    ),
    "too_deep": Message(
        "E106",
        "the filter is nested more than {limit} levels deep",
        "remove redundant parentheses and double negations",
    ),
    "too_long": Message("E107", "the filter is longer than {limit:,} characters", "split it into smaller filters"),
    # -- habits of other query languages (leadq.language.habits) ------------------------
    "raw_q": Message("E102", "this is {what}, not a filter expression", "it means `{fix}`; `leadq decompile` reads it"),
    "sql_select": Message(
        "E102", "a filter is the condition of SQL's WHERE alone, without SELECT ... WHERE", "write `{fix}`"
    ),
    "sql_select_bare": Message(
        "E102", "a filter is a condition, not an SQL query", "write the condition alone, e.g. `result = missed`"
    ),
    "sql_where": Message("E102", "a filter has no `WHERE`: it is the condition alone", "remove `WHERE`"),
    "logic_function": Message(
        "E102", "a filter joins conditions with the word `{word}`, not with a function `{word}(...)`", "write `{fix}`"
    ),
    "invisible": Message(
        "E101", "an invisible character is here: {what} ({code}), pasted along with the filter", "remove it"
    ),
    "comment": Message(
        "E101",
        "a filter has no comments; `{marker}` starts none",
        "remove the comment (in a file of saved filters, `#` starts a comment)",
    ),
    "trailing_semicolon": Message("E101", "a filter does not end with `;`", "remove the `;`"),
    "semicolon": Message("E101", "`;` does not join conditions", "write `and` in its place"),
    "logic_symbol": Message(
        "E101", "`{written}` is not an operator in leadq, which writes `{word}`", "did you mean `{word}`?"
    ),
    "tilde": Message("E101", "`{written}` is not an operator in leadq, which writes `{word}`", "write `{fix}`"),
    "fuzzy": Message("E101", "`{written}` is Lucene's fuzzy search; leadq has none", "write `{fix}`"),
    "regex": Message("E101", "`{written}` is a regular expression; leadq has none", "write `{fix}`"),
    "regex_other": Message(
        "E101",
        "`{written}` is a regular expression; leadq has none",
        '`contains "..."` searches a piece of the text; join several with `or`',
    ),
    "comma_join": Message("E102", "a comma does not join conditions", "write `and` in its place"),
    "composed_operator": Message(
        "E102", "`{written}` is not an operator in leadq, which writes `{word}`", "did you mean `{word}`?"
    ),
    "is_null": Message(
        "E102",
        "`{written}` is SQL; whether `{field}` is given is a yes/no field of its own",
        "write `{fix}`",
    ),
    "is_null_no_flag": Message(
        "E102",
        "`{written}` is SQL, and q cannot ask whether `{field}` is given",
        "the yes/no fields of what is given are {flags}",
    ),
    "is_boolean": Message("E102", "`{written}` is SQL; a yes/no field is a condition by itself", "write `{fix}`"),
    "like": Message("E102", "`{written}` is SQL; leadq has no patterns", "write `{fix}`"),
    "like_pattern": Message(
        "E102",
        "`{written}` is SQL; leadq has no patterns",
        '`text contains "..."` searches a piece of the text; other fields take whole values with `=`',
    ),
    "colon_condition": Message(
        "E102", "`{written}` is the `field:value` of Lucene, Kibana or Jira; leadq writes an operator", "write `{fix}`"
    ),
    "lucene_range": Message("E101", "`{written}` is a Lucene range; leadq writes `between`", "write `{fix}`"),
    "square_list": Message("E101", "a list of values goes in parentheses, not square brackets", "write `{fix}`"),
    "equals_list": Message("E102", "`{op}` takes one value; several values take `{keyword}`", "write `{fix}`"),
    "decimal_comma": Message("E102", "a number's decimal separator is `.`", "did you mean `{fix}`?"),
    "value_without_field": Message(
        "E102", "`{joiner}` joins conditions, and each condition names its field", "write `{fix}`"
    ),
    "operator_without_field": Message(
        "E102", "`{op}` needs the field it compares: each condition names its field", "write `{fix}`"
    ),
    "number_unit": Message(
        "E101", "`{written}`: a number takes no unit; `{field}` counts {unit}s", "did you mean `{fix}`?"
    ),
    "number_unit_plain": Message("E101", "`{written}`: a number takes no unit", "write the number alone"),
    "duration_as_date": Message(
        "E101",
        "`{written}` is a length of time, but `{field}` takes dates and relative periods",
        "for {meaning}, write `{fix}`",
    ),
    "duration_as_date_other": Message(
        "E101",
        "`{written}` is a length of time, but `{field}` takes dates and relative periods",
        "write a date (`{field} >= 2024-01-31`) or a period: {periods}",
    ),
    "dotted_date": Message(
        "E101", "`{written}` is day.month.year; leadq writes a date year-month-day", "did you mean `{fix}`?"
    ),
    "slashed_date": Message("E101", "`{written}`: leadq writes a date year-month-day", "did you mean `{fix}`?"),
    "short_date": Message("E101", "`{written}`: months and days take two digits", "did you mean `{fix}`?"),
    "spaced_datetime": Message("E101", "`{written}`: a date and a time are joined with `T`", "did you mean `{fix}`?"),
    "ambiguous_date": Message(
        "E101",
        "`{written}` may be month/day or day/month; leadq writes a date year-month-day",
        "write `{first}` for {first_words}, or `{second}` for {second_words}",
    ),
    "date_form": Message("E101", "`{written}` is a date, written as leadq does not read one"),
    "impossible_date": Message(
        "E101", "`{written}` is no real date", "write the date year-month-day, as 2024-01-31"
    ),
    "date_math": Message(
        "E101",
        "`{written}` is date math of other tools; q has relative periods instead",
        "for {meaning}, write `{fix}`",
    ),
    "date_math_other": Message(
        "E101",
        "`{written}` is date math of other tools; q has relative periods instead",
        "write a period ({periods}) or a date, as `created_at >= 2024-01-31`",
    ),
    "period_phrase": Message("E102", "`{written}`: a relative period is one word", "did you mean `{fix}`?"),
    "function_call": Message("E102", "`{written}` is a function of another tool; leadq has none", "write `{fix}`"),
    "function_call_other": Message(
        "E102", "`{written}` is a function of another tool; leadq has none", "write the value itself"
    ),
    "word_operator": Message(
        "E102", "`{written}` is not an operator in leadq, which writes `{fix}`", "did you mean `{fix}`?"
    ),
    "dot_range": Message("E102", "`{written}` is a range of other tools; leadq writes `between`", "write `{fix}`"),
    "tail_equals": Message("E102", "`{word}` takes its number without `{sign}`", "write `{fix}`"),
    "sort_by": Message("E102", "leadq sorts with `order by`", "write `{fix}`"),
    "order_without_by": Message("E102", "`order` is followed by `by`", "write `{fix}`"),
    "sort_direction": Message(
        "E102", "`{written}`: the direction of a sort is `asc` or `desc`", "did you mean `{fix}`?"
    ),
    "sort_minus": Message("E101", "`{written}`: leadq writes a descending sort with `desc`", "write `{fix}`"),
    "sort_several": Message("E102", "a request sorts by one key; `{written}` adds another", "remove `{written}`"),
    "limit_comma": Message("E102", "`{written}` is MySQL's offset and limit; leadq names both", "write `{fix}`"),
    "tail_order": Message("E102", "the parts of a query tail come in the order {order}", "write `{fix}`"),
    "foreign_keyword": Message("E102", "`{written}`: leadq's keywords are English", "did you mean `{word}`?"),
    "smart_quote": Message("E101", "`{char}` is a typographic quote; a string takes straight quotes", "write `{fix}`"),
    "wildcard": Message("E101", "leadq has no wildcards; `contains` searches a piece of the text", "write `{fix}`"),
    "quoted_field": Message("E102", "a field name takes no quotes", "did you mean `{fix}`?"),
    "doubled_quote": Message(
        "E102",
        "a quote inside a string is escaped with a backslash, not doubled",
        "write `{fix}`",
    ),
    "list_without_parens": Message("E102", "`in` takes a list in parentheses", "write `{fix}`"),
    "list_without_comma": Message(
        "E102", "the values of a list are separated by commas", "put a comma between `{first}` and `{second}`"
    ),
    "trailing_comma": Message("E102", "a list does not end with a comma", "remove the `,`"),
    "between_and": Message("E102", "`between` takes `and` between its bounds, not `{written}`", "write `and`"),
    "range_dash": Message("E102", "`{written}` is a range; leadq writes `between`", "write `{fix}`"),
    "unopened_paren": Message("E102", "this `)` closes no `(`", "remove it, or add the `(` it closes"),
    "words_value": Message("E102", "a value of several words goes in quotes", "write `{fix}`"),
    "missing_and": Message(
        "E102", "two conditions stand side by side without `and` or `or`", "write `and` (or `or`) before `{next}`"
    ),
    # -- names and operators -----------------------------------------------------------
    "unknown_field": Message("E201", "unknown field `{name}` in {method}", "known fields: {known}"),
    "unknown_field_guess": Message("E201", "unknown field `{name}` in {method}", "did you mean `{guess}`?"),
    "lead_field_only": Message(
        "E201",
        "`{name}` is a Lead field that q has no criterion for in {method}",
        "`leadq.pushdown()` and `leadq fetch` check it on each lead they fetch; `compile` cannot",
    ),
    "lead_field_flag": Message(
        "E201",
        "`{name}` is a Lead field that q has no criterion for; whether it is given is `{guess}`",
        "did you mean `{guess}`?",
    ),
    "null_compare": Message(
        "E201",
        "`{field}` is compared with `{written}`; whether it is given is a yes/no field of its own",
        "write `{fix}`",
    ),
    "sort_as_field": Message("E201", "`{name}` is no field; a filter sorts with `order by`", "write `{fix}`"),
    "value_as_field": Message(
        "E201",
        "`{name}` is a value of `{field}`, not a field; each condition after `or` names its field",
        "write `{fix}`",
    ),
    "wrong_operator": Message("E202", "`{op}` does not apply to `{field}`, which is {words}", "{hint}"),
    "period_operator": Message("E202", "a relative period takes only `=`, not `{op}`", "write `{field} = {period}`"),
    "not_boolean_field": Message(
        "E203", "`{field}` is not a yes/no field and needs a condition", "compare it, e.g. `{field} = ...`"
    ),
    "unknown_sort_key": Message("E208", "{method} cannot sort by `{name}`; it sorts by {keys}"),
    "unknown_sort_key_guess": Message(
        "E208", "{method} cannot sort by `{name}`; it sorts by {keys}", "did you mean `{guess}`?"
    ),
    "limit_range": Message("E209", "`{name}` takes a whole number from {low} to {high}", "write `{name} {example}`"),
    "limit_too_large": Message(
        "E209",
        "{method} returns at most {high} leads per request; `limit {value}` asks for more",
        "write `limit {high}`, and page with `offset`",
    ),
    "unknown_result_field": Message("E210", "{a_object} has no field `{name}`", "see the {type} fields in the docs"),
    "unknown_result_field_guess": Message("E210", "{a_object} has no field `{name}`", "did you mean `{guess}`?"),
    "required_missing": Message(
        "E213",
        "{method} needs `{field}` in every request, and this filter does not always say it",
        "add a condition on {field}: `{field} {example}`",
    ),
    "no_parameter": Message("E209", "{method} takes no `{name}`", "remove `{name} ...` from the query tail"),
    "unknown_method": Message("E211", "leadq knows no API method `{name}`", "known methods: {known}"),
    "unknown_method_guess": Message("E211", "leadq knows no API method `{name}`", "did you mean `{guess}`?"),
    "unknown_role": Message("E212", "`{name}` is no API role that may call {method}", "its roles: {known}"),
    "unknown_role_guess": Message("E212", "`{name}` is no API role that may call {method}", "did you mean `{guess}`?"),
    "plain_result_field": Message("E210", "`{name}` is a plain value and has no fields to choose", "write `{name}`"),
    "unknown_subfield": Message("E210", "`{name}` has no field `{sub}`; it has {known}"),
    "unknown_subfield_guess": Message(
        "E210", "`{name}` has no field `{sub}`; it has {known}", "did you mean `{guess}`?"
    ),
    # -- values ---------------------------------------------------------------------------
    "not_an_id": Message(
        "E301", "`{value}` is not {a_noun}", "{noun}s are whole numbers from 0 up, written with the digits 0-9"
    ),
    "non_ascii_digits": Message(
        "E304",
        "`{value}` has digits of another script; dates and times take ASCII digits 0-9 only",
        "retype it with the digits 0-9",
    ),
    "not_a_string_id": Message("E301", "`{value}` is not {a_noun}", 'quote it: "{value}"'),
    "not_a_boolean": Message(
        "E301", "`{value}` is not a yes/no value for `{field}`", "use true, false, yes, no, 1 or 0"
    ),
    "not_a_boolean_guess": Message(
        "E301", "`{value}` is not a yes/no value for `{field}`", "did you mean `{guess}`?"
    ),
    "q_not_a_boolean": Message("E301", "`{value}` is not a yes/no value for `{name}`", "use true or false"),
    "not_a_number": Message("E301", "`{value}` is not a number", "`{field}` takes whole numbers"),
    "number_too_large": Message(
        "E301", "`{field}` takes whole numbers from {low} to {high}", "use a number within that range"
    ),
    "not_an_enum_value": Message("E302", "`{value}` is not a value of `{field}`; it takes {values}"),
    "not_an_enum_value_guess": Message(
        "E302", "`{value}` is not a value of `{field}`; it takes {values}", "did you mean `{guess}`?"
    ),
    "fraction": Message(
        "E303", "`{field}` counts whole seconds; `{value}` has a fraction", "round the bound to a whole number"
    ),
    "not_a_date": Message(
        "E304",
        "`{value}` is not a date or time",
        "write 2024-01-31, 2024-01-31T10:00:00 or a relative period such as lastweek",
    ),
    "period_spelling": Message(
        "E304", "`{value}` is not how the API writes the relative period `{period}`", "did you mean `{period}`?"
    ),
    "period_nearest": Message(
        "E304",
        "`{value}` is no relative period of the API; the nearest is `{period}`, {meaning}",
        "write `{period}`, or the date itself",
    ),
    "unix_time": Message(
        "E304", "`{value}` is a Unix time, the seconds since 1970", "did you mean `{fix}`?"
    ),
    "bad_date": Message("E304", "{reason}", "write 2024-01-31 or 2024-01-31T10:00:00 (+03:00 or Z optional)"),
    "not_a_day": Message("E304", "`{value}` is not a date for `{field}`", "write a day: {field} = 2024-01-31"),
    "not_a_time_of_day": Message(
        "E304",
        "`{value}` is not a time of day for `{field}` (00:00:00 to 23:59:59, Moscow time)",
        'write it in quotes: {field} >= "09:00:00"',
    ),
    "value_empty": Message("E305", "{what} is empty", "an empty value cannot be written into q"),
    "value_control": Message(
        "E305", "{what} contains the control or invalid character {char}", "remove it: q carries printable text only"
    ),
    "value_outer_space": Message("E305", "{what} starts or ends with whitespace", "remove the outer spaces"),
    "value_injects_term": Message(
        "E305",
        "{what} contains `{term}`, which a server would read as another criterion",
        "remove the space before it, or search a shorter piece of the text",
    ),
    "id_with_separator": Message(
        "E305",
        "the {noun} `{value}` contains a comma or a space",
        "ids in q are separated by commas, so an id cannot hold one",
    ),
    "value_too_long": Message(
        "E306",
        "{what} is {length} characters long; a q value holds at most {limit}",
        "search a shorter piece of the text",
    ),
    "period_as_bound": Message(
        "E307",
        "the relative period `{period}` has no fixed value to compare with",
        "write `{field} = {period}` on its own",
    ),
    "period_mixed": Message(
        "E307",
        "`{period_span}` has no fixed value without a clock, so it cannot be combined with `{other_span}`",
        "use either the relative period or fixed dates on `{field}`",
    ),
    "param_missing": Message(
        "E310",
        "no value is given for the parameter `:{name}`",
        "pass it in the parameters: `{name}`",
        cli_hint="add `--param {name}=VALUE`",
    ),
    "param_type": Message(
        "E311",
        "the parameter `:{name}` is {given}, but `{field}` takes {expected}",
        "pass {expected}",
        cli_text="`--param {name}` does not give a value `{field}` takes",
        cli_hint="write a value such as `--param {name}={example}`",
    ),
    "param_not_a_list": Message(
        "E311",
        "the parameter `:{name}` is a {given}, but `{field} in :{name}` takes a list, tuple or set",
        "pass a list of values",
        cli_text="`--param {name}` is no list, but `{field} in :{name}` takes one",
        cli_hint="write a JSON list: `--param {name}='{example}'`",
    ),
    "param_list_empty": Message(
        "E311",
        "the parameter `:{name}` is an empty list; `{field} in` needs at least one value",
        "pass a value",
        cli_hint="write a value in the list: `--param {name}='{example}'`",
    ),
    "param_fraction": Message(
        "E311",
        "the parameter `:{name}` has fractional seconds; the API counts whole seconds",
        "pass the datetime with microsecond=0",
        cli_hint="write the time in whole seconds, as 2024-01-31T10:00:00",
    ),
    "param_unused": Message(
        "E312",
        "the parameter `{name}` is not used by the filter",
        "remove it, or write `:{name}` where it belongs",
        cli_text="`--param {name}` is not used by the filter",
        cli_hint="remove `--param {name}`, or write `:{name}` where it belongs",
    ),
    "needs_clock": Message("E308", "a relative period needs the current time", "pass now=datetime.now()"),
    "bad_lead": Message(
        "E309",
        "the lead's `{field}` is {value}, which is not {expected}",
        "pass leads as the API returns them (see the embedding guide)",
    ),
    "residual_unreadable": Message(
        "E314",
        "`{field}` would be checked on each returned {object}, but the object does not hold what it tests",
        "send the condition in q on its own, or leave it out",
    ),
    "evaluate_unreadable": Message(
        "E314",
        "`{field}` cannot be checked on a returned {object}: the object does not hold what it tests",
        "only the server can answer this condition",
    ),
    "residual_hidden": Message(
        "E313",
        "`{field}` is checked on each fetched lead, but the role `{role}` does not see it in other employees' leads",
        "fetch as a role that sees `{field}`, or leave the condition out",
    ),
    # -- meaning ------------------------------------------------------------------------------
    "never_true": Message(
        "E401",
        "this condition can never be true, so the filter matches no lead",
        "q has no way to ask for nothing; remove the condition",
    ),
    "contradicts": Message(
        "E401",
        "`{condition}` contradicts {others}: the filter matches no lead",
        "remove one of the contradicting conditions",
    ),
    "needs_several": Message(
        "E402",
        "`{condition}` is not one conjunction of q terms: it needs several requests",
        _PLAN,
        cli_hint=_PLAN_CLI,
    ),
    "one_value_per_term": Message(
        "E402", "`{field}` allows {values}; a q term holds one value", _PLAN, cli_hint=_PLAN_CLI
    ),
    "several_terms": Message(
        "E402", "`{field}` needs several q terms here, so several requests", _PLAN, cli_hint=_PLAN_CLI
    ),
    "interval_too_long": Message(
        "E407",
        "this method takes `{field}` intervals of at most {limit}; this one is longer",
        "run `leadq.plan()` (or `leadq explain`): it splits the interval into windows of {limit}",
        cli_hint="`leadq explain` lists its windows of {limit}; `leadq fetch` runs them one after another",
    ),
    "interval_far_too_long": Message(
        "E407",
        "this method takes `{field}` intervals of at most {limit}; this one is longer",
        "it needs more than {most} windows of {limit}, more requests than a plan makes unless "
        "`max_requests` allows them: narrow it",
        cli_hint="it needs more than {most} windows of {limit}, more requests than `leadq fetch` sends unless "
        "`--max-requests` allows them: narrow it",
    ),
    "interval_open": Message(
        "E408",
        "this method takes `{field}` only as an interval of at most {limit}, bounded on both sides",
        "bound it: `{field} between 2024-01-01 and 2024-01-30`",
    ),
    "period_too_long": Message(
        "E408",
        "this method takes `{field}` intervals of at most {limit}, and `{period}` may be longer",
        "bound it: `{field} between 2024-01-01 and 2024-01-30`",
    ),
    "separate_ranges": Message(
        "E402", "`{field}` allows {count} separate ranges; q holds one range per field", _PLAN, cli_hint=_PLAN_CLI
    ),
    "id_list_too_long": Message(
        "E402",
        "the list of {count} {noun}s takes {length} characters; a q value holds at most {limit}",
        _PLAN,
        cli_hint=_PLAN_CLI,
    ),
    "exclusion": Message(
        "E403",
        "`{field}` excludes {values}, but q can only list the values to keep, and no list is given",
        "add the values to keep: `{field} in (...)`",
    ),
    "contains_negated": Message(
        "E404",
        "this mix of `contains` tests on `{field}` cannot be sent: a q term asks that the text contain a piece, "
        "never that it not contain one",
        "keep only `{field} contains` tests, joined by `and` or `or`",
    ),
    "period_negated": Message(
        "E404",
        "`{field}` must lie inside one relative period for q to say it; outside a period no q term can say",
        "use fixed dates instead, e.g. `{field} < 2024-01-01`",
    ),
    "too_complex": Message(
        "E405", "the filter has too many alternatives to normalize", "split it into simpler filters"
    ),
    "too_many_requests": Message(
        "E406",
        "the filter needs {count} requests; the plan allows {limit}",
        "narrow the filter, or pass a larger max_requests",
    ),
    # -- saved-filter files -----------------------------------------------------------------
    "ignore_unknown_guess": Message(
        "W610",
        "`{selector}` in `# leadq: ignore[...]` is no code and no prefix of one: it suppresses nothing",
        "did you mean `{guess}`?",
    ),
    "ignore_unknown": Message(
        "W610",
        "`{selector}` in `# leadq: ignore[...]` is no code and no prefix of one: it suppresses nothing",
        "codes start with E, W or I: `leadq rule --all` lists them",
    ),
    # -- raw q strings ----------------------------------------------------------------------
    "unknown_term": Message("E501", "`{name}` is not a criterion of {method}", "a q term is `<criterion><op><value>`"),
    "unknown_term_guess": Message("E501", "`{name}` is not a criterion of {method}", "did you mean `{guess}`?"),
    "unsupported_term": Message(
        "E501",
        "`{name}` is known to the API's implementation but not documented for {method}",
        "leave it out; leadq supports the documented criteria",
    ),
    "q_missing_operator": Message(
        "E502", "`{piece}` has no operator after `{name}`", "write `{name}=value` (no spaces around `=`)"
    ),
    "q_no_value": Message("E502", "the term `{name}` has no value", "write `{name}=value`"),
    "q_ampersand": Message(
        "E502", "q terms are separated by spaces, not `&` as URL parameters are", "write `{fix}`"
    ),
    "q_equals_only": Message("E502", "`{name}` takes `=`, not `{op}`", "write `{name}={value}`"),
    "q_empty_id": Message("E502", "the id list has an empty item", "remove the extra comma"),
    "q_bad_id": Message("E502", "`{value}` in the list is not a {noun}", "ids are whole numbers"),
    "q_not_a_number": Message("E502", "`{value}` is not a whole number for `{name}`", "write `{name}=60`"),
    "q_not_a_date": Message("E502", "`{value}` is not a datetime for `{name}`", "write `{name}>=2024-01-31T10:00:00`"),
    "q_not_a_day": Message("E502", "`{value}` is not a date for `{name}`", "write `{name}=2024-01-31`"),
    "q_not_a_time_of_day": Message("E502", "`{value}` is not a time of day for `{name}`", "write `{name}>=09:00:00`"),
    # -- warnings and notes -------------------------------------------------------------------
    "reference_only": Message(
        "W609",
        "`{name}` is in the reference of {method}, but the server's own validator does not list it",
        "the server may ignore or refuse it; check what comes back",
    ),
    "value_with_space": Message(
        "W601",
        "the value contains a space; how the server reads a space inside a value is not documented",
        "if the results look wrong, search one word",
    ),
    "implied": Message(
        "W602", "`{condition}` is implied by the other conditions", "remove it; the filter means the same without it"
    ),
    "always_true": Message("W603", "`{condition}` is always true", "remove it"),
    "empty_filter": Message(
        "I703",
        "the filter is empty, so it compiles to the empty q, which matches every lead",
        "that is on purpose: the API lists every lead for an empty q",
    ),
    "duplicate_value": Message("W604", "`{value}` is listed twice", "remove the repeat"),
    "more_duplicates": Message("W604", "{count:,} more values in this list repeat earlier ones", "remove the repeats"),
    "stored_period": Message(
        "W605",
        "`{period}` moves with the clock: a stored filter selects other leads tomorrow",
        "store fixed dates if the filter must keep its meaning",
    ),
    "role_hidden": Message(
        "W606",
        "the role `{role}` sees other employees' leads without `{field}`, so this condition can only match "
        "its own leads",
        "run the filter as an administrator, or drop the condition",
    ),
    "repeated_hour": Message(
        "W607",
        "`{value}` falls in the hour Moscow's clocks repeated ({start} to {end}); q carries Moscow time, "
        "which cannot tell the two passes apart, so the bound takes in the whole hour",
        "write the bound in Moscow time, or outside that hour, if the filter must be exact",
    ),
    "alias": Message("I701", "`{name}` is another spelling of `{field}`", "write `{field}` (q: `{q_name}`)"),
    "q_alias": Message(
        "I701",
        "`{name}` is the implementation's name of `{field}`; leadq writes `{q_name}`",
        "both names are read by the API",
    ),
    "q_datetime_equals": Message(
        "I702",
        "the server's meaning of `{name}=<absolute time>` is not documented; read as that one second, "
        "as the API reads a datetime",
        "write `{name}>=...` and `{name}<=...` to be explicit",
    ),
    # -- leadq's own bugs -----------------------------------------------------------------------
    # -- running through the API (leadq.Client) ------------------------------------------------
    "api_refused": Message("E801", "the API answered HTTP {status} to {request}: {answer}", "{hint}"),
    "api_unauthorized": Message(
        "E801",
        "the API did not accept the credentials: HTTP {status} to {request}: {answer}",
        "check {credentials}",
    ),
    "api_forbidden": Message(
        "E801",
        "the API forbids the account this request: HTTP {status} to {request}: {answer}",
        "the account's role may not call this method, or see what the request asks for; check {credentials}",
    ),
    "api_gave_up": Message(
        "E802",
        "the API did not answer {request} after {attempts} in {seconds:.1f} s: {last}",
        "try again later, or raise {retries} and {retry_time}",
    ),
    "api_gave_up_timeout": Message(
        "E802",
        "the API did not answer {request} after {attempts} in {seconds:.1f} s: {last}",
        "try again later, or raise {timeout}, {retries} or {retry_time}",
    ),
    "api_gave_up_connect": Message(
        "E802",
        "the API did not answer {request} after {attempts} in {seconds:.1f} s: {last}",
        "check {base_url}; if the API is restarting, try again later, or raise {retries} and {retry_time}",
    ),
    "api_wait_too_long": Message(
        "E802",
        "the API answered HTTP {status} to {request} and asked to wait {wait} before trying again, "
        "past the {budget} s the run may spend on one request",
        "try again after {after}, or raise {retry_time}",
    ),
    "api_bad_answer": Message(
        "E803",
        "the API's answer to {request} is not {what}: {answer}",
        "check {base_url}: it should reach the LiveTex API (see docs/fetch.md)",
    ),
    "api_wrong_page": Message(
        "E803",
        "the API's answer to {request} cannot be used: {why}",
        "the run stops rather than return a wrong result; check that {base_url} reaches the LiveTex API",
    ),
    "api_no_host": Message(
        "E804",
        "cannot find the API's host `{host}`: {reason}",
        "check the host name in {base_url} and the network's DNS (a failed lookup is not retried)",
    ),
    "api_tls_certificate": Message(
        "E804",
        "the TLS certificate of `{host}` cannot be trusted: {reason}",
        "check {base_url}; behind a proxy that inspects TLS, name its certificate in SSL_CERT_FILE "
        "(a certificate failure is not retried)",
    ),
    "api_tls": Message(
        "E804",
        "the TLS connection to `{host}` failed: {reason}",
        "check {base_url}: `http://` or `https://`, and the port (a TLS failure is not retried)",
    ),
    # -- notes of a run --------------------------------------------------------------------
    "run_second_unstable": Message(
        "W801",
        "{count} {objects} share the second {second} and kept changing while the run read them, "
        "so one of that second that matched throughout may be missing",
        "run again later, or narrow the filter so that fewer {objects} share one second",
    ),
    "run_no_date": Message(
        "W802",
        "the API's answer to {request} has no usable `Date` header, so the run's cut-off is the "
        "client's clock: {cutoff}",
        "if the clocks disagree, leads created during the run may be returned, or recent ones missed",
    ),
    "run_plan": Message(
        "I801",
        "the filter runs as {count} requests: a lead that changes from one request's conditions to "
        "another's while the run reads them can be missed",
        "{max_requests} sends one request and checks the rest here, for the full guarantee (more leads travel)",
    ),
    "run_capped": Message(
        "I802",
        "the API sent {got} {objects} where {asked} were asked, and its total says more: "
        "the run reads its pages as capped at {got}",
    ),
    "run_offset_shifted": Message(
        "W803",
        "more {objects} before offset {offset} went or moved while the run paged by offset than its reads "
        "further back could find: one that matched throughout may be missing",
        "run again when fewer change, or narrow the filter; this method has no datetime to page by (docs/fetch.md)",
    ),
    "internal": Message("E900", "internal error: {error}", "please report this filter to the leadq issue tracker"),
}


def code_of(key: str) -> str:
    return MESSAGES[key].code


def render_message(
    key: str, fields: Mapping[str, object], text: str = "", *, cli: bool = False
) -> tuple[str, str, str | None]:
    """The code, message and hint of finding `key` with `fields` (spans shown as source).
    `cli`: in the command line's words (`--param` rather than Python's types)."""
    m = MESSAGES[key]
    values = {k: (source(text, v) if isinstance(v, Span) else v) for k, v in fields.items()}
    message = (m.cli_text if cli and m.cli_text else m.text).format(**values)
    hint_template = m.cli_hint if cli and m.cli_hint else m.hint
    hint = hint_template.format(**values) if hint_template else None
    return m.code, message, hint or None


def source(text: str, span: Span) -> str:
    """The text a span covers, on one line and at most 60 characters."""
    piece = " ".join(text[span.start : span.end].split())
    return piece if len(piece) <= 60 else piece[:57] + "..."


_bounded: Callable[[object], str] | None = None


def _bounded_repr() -> Callable[[object], str]:
    """`repr` for a message: bounded in length and depth, and never raising (made on
    first use: most runs never need it)."""
    global _bounded
    if _bounded is None:
        import reprlib

        class Bounded(reprlib.Repr):
            def repr_int(self, x: int, level: int) -> str:
                if x.bit_length() > 14_000:  # past what Python writes in decimal
                    return f"<an int of about {int(x.bit_length() * 0.30103)} digits>"
                return super().repr_int(x, level)

        bounded = Bounded()
        bounded.maxlevel = 4
        bounded.maxstring = bounded.maxlong = bounded.maxother = 100
        bounded.maxlist = bounded.maxtuple = bounded.maxset = bounded.maxfrozenset = 12
        bounded.maxdeque = bounded.maxdict = 12
        _bounded = bounded.repr
    return _bounded


def value_repr(value: object, limit: int = 80) -> str:
    """`repr(value)` for a message, cut at `limit` characters: a value a caller passed (a
    lead's field, a parameter) may be an int too long to write or a list nested deeper
    than `repr` goes, which must not turn a diagnostic into an exception."""
    try:
        return _bounded_repr()(value)[:limit]
    except Exception:  # a __repr__ of the caller's that raises
        return f"<a {type(value).__name__}>"[:limit]
