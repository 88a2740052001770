// PEGTL grammars of PostgREST's query-string language: select lists, filter
// expressions, logic trees, order lists and key paths. Rules only: building the syntax
// tree is parse.cpp's job (PEGTL actions, with a state of its own for every rule that
// can backtrack after matching), and error messages live in its control class.
//
// Input is already percent-decoded and valid UTF-8. Bytes >= 0x80 count as letters in
// names, which is how Unicode identifiers (`naïve`) reach the catalog lookup.
#pragma once

#include "parse/pegtl.hpp"

namespace pgrest::grammar {

using namespace pegtl;  // NOLINT: grammar files read best with PEGTL's vocabulary

// clang-format off

// ------------------------------------------------------------------ lexical
struct ws : star< one< ' ', '\t' > > {};
struct high_byte : range< char(0x80), char(0xFF) > {};
struct ident_char : sor< alnum, one< '_', '$', ' ' >, high_byte > {};
struct ident : plus< ident_char > {};
// `a-b` is one name, but the `-` of `->` starts a JSON path.
struct ident_seq : seq< ident, star< one< '-' >, not_at< one< '>' > >, ident > > {};
struct escaped_char : seq< one< '\\' >, any > {};
struct quoted_char : sor< escaped_char, not_one< '"', '\\' > > {};
struct quoted : seq< one< '"' >, star< quoted_char >, one< '"' > > {};
struct name : sor< quoted, ident_seq > {};

// Cast type names are emitted unquoted (`CAST(x AS double precision)`), so they are
// restricted to ASCII letters, digits, `_` and single inner spaces: nothing that could
// end the CAST or start another expression.
struct type_word : plus< sor< alnum, one< '_' > > > {};
struct cast_type : list< type_word, one< ' ' > > {};
struct cast_mark : two< ':' > {};
struct cast : if_must< cast_mark, cast_type > {};

// ------------------------------------------------------------------ JSON paths
struct arrow_text : string< '-', '>', '>' > {};
struct arrow_json : string< '-', '>' > {};
struct index_end : sor< string< '-', '>' >, two< ':' >, one< '.', ',', ')' >, eof > {};
struct json_index : seq< opt< one< '-' > >, plus< digit >, at< index_end > > {};
struct json_key_char : not_one< '-', ':', '.', ',', '>', '(', ')', '"', '!' > {};
struct json_key_plain : seq< plus< json_key_char >,
                             star< one< '-' >, not_at< one< '>' > >, plus< json_key_char > > > {};
struct json_key : sor< quoted, json_key_plain > {};
struct json_step : seq< sor< arrow_text, arrow_json >, must< sor< json_index, json_key > > > {};
struct json_path : star< json_step > {};
struct field : seq< name, json_path > {};

// ------------------------------------------------------------------ select
struct select_list;
struct alias : seq< name, one< ':' >, not_at< one< ':' > > > {};
struct aggregate_name : sor< TAO_PEGTL_STRING("sum"), TAO_PEGTL_STRING("avg"),
                             TAO_PEGTL_STRING("max"), TAO_PEGTL_STRING("min"),
                             TAO_PEGTL_STRING("count") > {};
struct aggregate_cast : seq< cast_mark, must< cast_type > > {};
struct aggregate : seq< one< '.' >, aggregate_name, string< '(', ')' >, opt< aggregate_cast > > {};
struct count_call : seq< TAO_PEGTL_STRING("count"), string< '(', ')' > > {};
struct count_item : seq< count_call, opt< cast > > {};
struct column_item : seq< field, opt< cast >, opt< aggregate > > {};
struct star_item : one< '*' > {};
struct embed_option : seq< one< '!' >, must< name > > {};
// The nesting budget (parse.cpp) is counted on the *_body rules, which start only once
// the opening parenthesis has matched.
struct children_body : seq< ws, opt< select_list >, ws, must< one< ')' > > > {};
struct children : seq< one< '(' >, children_body > {};
// At most one hint and one join type (checked when building); `count` is never a
// relation name, so `count(a)` is an error rather than an embed.
struct embed_options : rep_max< 2, embed_option > {};
struct embed_item : seq< not_at< TAO_PEGTL_STRING("count"), one< '(' > >, name, embed_options, children > {};
struct spread_mark : string< '.', '.', '.' > {};
struct spread_item : if_must< spread_mark, name, embed_options, children > {};
struct named_item : seq< opt< alias >, sor< count_item, embed_item, column_item > > {};
struct select_item : sor< star_item, spread_item, named_item > {};
struct item_separator : seq< ws, one< ',' >, ws > {};
struct select_list : list_must< select_item, item_separator > {};
struct select_param : seq< ws, opt< select_list >, ws, must< eof > > {};

// ------------------------------------------------------------------ operators
struct not_prefix : TAO_PEGTL_STRING("not.") {};
struct op_eq : TAO_PEGTL_STRING("eq") {};
struct op_neq : TAO_PEGTL_STRING("neq") {};
struct op_gte : TAO_PEGTL_STRING("gte") {};
struct op_gt : TAO_PEGTL_STRING("gt") {};
struct op_lte : TAO_PEGTL_STRING("lte") {};
struct op_lt : TAO_PEGTL_STRING("lt") {};
struct op_like : TAO_PEGTL_STRING("like") {};
struct op_ilike : TAO_PEGTL_STRING("ilike") {};
struct op_match : TAO_PEGTL_STRING("match") {};
struct op_imatch : TAO_PEGTL_STRING("imatch") {};
struct op_in : TAO_PEGTL_STRING("in") {};
struct op_is : TAO_PEGTL_STRING("is") {};
struct op_isdistinct : TAO_PEGTL_STRING("isdistinct") {};
struct op_fts : TAO_PEGTL_STRING("fts") {};
struct op_plfts : TAO_PEGTL_STRING("plfts") {};
struct op_phfts : TAO_PEGTL_STRING("phfts") {};
struct op_wfts : TAO_PEGTL_STRING("wfts") {};
struct op_cs : TAO_PEGTL_STRING("cs") {};
struct op_cd : TAO_PEGTL_STRING("cd") {};
struct op_ov : TAO_PEGTL_STRING("ov") {};
struct op_sl : TAO_PEGTL_STRING("sl") {};
struct op_sr : TAO_PEGTL_STRING("sr") {};
struct op_nxr : TAO_PEGTL_STRING("nxr") {};
struct op_nxl : TAO_PEGTL_STRING("nxl") {};
struct op_adj : TAO_PEGTL_STRING("adj") {};

struct dot : one< '.' > {};
struct quantified_op : sor< op_eq, op_gte, op_gt, op_lte, op_lt, op_like, op_ilike,
                            op_match, op_imatch > {};
struct simple_op : sor< op_neq, op_cs, op_cd, op_ov, op_sl, op_sr, op_nxr, op_nxl,
                        op_adj > {};
struct fts_op : sor< op_fts, op_plfts, op_phfts, op_wfts > {};
struct quant_any : TAO_PEGTL_STRING("(any)") {};
struct quant_all : TAO_PEGTL_STRING("(all)") {};
struct quantifier : sor< quant_any, quant_all > {};
struct language : plus< sor< alnum, one< '_' > > > {};
struct fts_language : seq< one< '(' >, language, one< ')' > > {};

struct is_null : istring< 'n', 'u', 'l', 'l' > {};
struct is_not_null : istring< 'n', 'o', 't', '_', 'n', 'u', 'l', 'l' > {};
struct is_true : istring< 't', 'r', 'u', 'e' > {};
struct is_false : istring< 'f', 'a', 'l', 's', 'e' > {};
struct is_unknown : istring< 'u', 'n', 'k', 'n', 'o', 'w', 'n' > {};
struct is_value : sor< is_not_null, is_null, is_true, is_false, is_unknown > {};

// In a plain filter (`col=eq.value`) the value is the rest of the input, verbatim.
struct single_value : star< any > {};
// Inside logic trees a value ends at `,` or `)` unless quoted; `{...}` keeps its commas.
struct brace_value : seq< one< '{' >, star< not_one< '{', '}' > >, one< '}' > > {};
struct tree_plain_value : star< not_one< ',', ')' > > {};
struct value_end : at< sor< one< ',', ')' >, eof > > {};
struct quoted_value : seq< quoted, value_end > {};
struct tree_value : sor< quoted_value, seq< brace_value, value_end >, tree_plain_value > {};
// `in` list elements are not trimmed: `in.(1, 2)` holds "1" and " 2".
struct list_plain_value : star< not_one< ',', ')' > > {};
struct quoted_element : seq< quoted, at< one< ',', ')' > > > {};
struct list_element : sor< quoted_element, list_plain_value > {};
struct in_list : seq< ws, one< '(' >, ws, list< list_element, one< ',' > >, ws, must< one< ')' > >, ws > {};

template< typename Value >
struct operation : sor<
  seq< op_in, dot, must< in_list > >,
  seq< op_isdistinct, dot, must< Value > >,
  seq< op_is, dot, must< is_value > >,
  seq< fts_op, opt< fts_language >, dot, must< Value > >,
  seq< quantified_op, opt< quantifier >, dot, must< Value > >,
  seq< simple_op, dot, must< Value > > > {};

template< typename Value >
struct op_expr : seq< opt< not_prefix >, operation< Value > > {};

struct filter_expr : op_expr< single_value > {};
struct filter_param : seq< must< filter_expr >, must< eof > > {};

// ------------------------------------------------------------------ logic trees
struct tree_items;
struct kw_and : TAO_PEGTL_STRING("and") {};
struct kw_or : TAO_PEGTL_STRING("or") {};
struct tree_expr : op_expr< tree_value > {};
struct nested_tree_body : seq< ws, must< tree_items >, ws, must< one< ')' > > > {};
struct nested_tree : seq< opt< not_prefix >, sor< kw_and, kw_or >, ws, one< '(' >,
                          nested_tree_body > {};
struct tree_leaf : seq< field, dot, must< tree_expr > > {};
struct tree_item : sor< nested_tree, tree_leaf > {};
struct tree_items : list_must< tree_item, item_separator > {};
struct logic_param : seq< ws, must< one< '(' > >, ws, must< tree_items >, ws,
                          must< one< ')' > >, ws, must< eof > > {};

// ------------------------------------------------------------------ order
struct dir_asc : TAO_PEGTL_STRING("asc") {};
struct dir_desc : TAO_PEGTL_STRING("desc") {};
struct nulls_first : TAO_PEGTL_STRING("nullsfirst") {};
struct nulls_last : TAO_PEGTL_STRING("nullslast") {};
struct term_end : at< sor< one< '.', ',' >, eof > > {};
struct direction : seq< dot, sor< dir_asc, dir_desc >, term_end > {};
struct nulls_order : seq< dot, sor< nulls_first, nulls_last >, term_end > {};
struct related_field : seq< name, one< '(' >, field, must< one< ')' > > > {};
struct order_term : seq< sor< related_field, field >, opt< direction >, opt< nulls_order > > {};
struct order_param : seq< ws, list_must< order_term, item_separator >, ws, must< eof > > {};

// ------------------------------------------------------------------ keys and lists
// A filter key: `col`, `data->a`, `actors.name`, `actors.not.or`.
struct key_path : seq< name, star< dot, name >, json_path > {};
struct key_param : seq< must< key_path >, must< eof > > {};
// columns= and on_conflict=
struct name_list_param : seq< ws, list_must< name, item_separator >, ws, must< eof > > {};
struct integer_param : seq< opt< one< '-' > >, plus< digit >, eof > {};

// clang-format on

}  // namespace pgrest::grammar
