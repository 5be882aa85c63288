/* Material's search worker, with two rules added to its ranking: the page whose title is the query, word for
 * word, comes first; then the pages and sections that have every word of the query, before those that miss one.
 *
 * Material appends a wildcard to every word of a query ("north" → "north*"), and Lunr scores each word a
 * wildcard reaches by its rarity: "North Korea" found first the pages with the rarer "Northeast" or "Korean" in
 * their titles, or with "North Korea" in their titles and their text, and not the page of North Korea, whose
 * title is nothing but those words. And a page that misses a word can outscore one that has them all: "Siloed No
 * More" (a report's title) found first two pages with "more" in their titles, marked "Missing: siloed". The pages
 * found stay the same; only their order changes. A word is found as Material finds it for its "Missing:" line
 * (a matched term starts with it), and a stop word ("no") is never missing.
 *
 * The page loads this worker in place of Material's (site_overrides/main.html), with the address of
 * Material's worker in the "engine" parameter of its own.
 */
"use strict";

importScripts(new URL(self.location.href).searchParams.get("engine"));

(function (lunr) {
  var search = lunr.Index.prototype.search;

  /* The index numbers of the query's words as the index holds them (no wildcard, through the search pipeline),
   * or null when a word is not in the index: no title can then be the query. */
  function queryWords(index, text) {
    var query = new lunr.Query(index.fields);
    new lunr.QueryParser(text, query).parse();
    var words = new Set();
    for (var clause of query.clauses) {
      if (clause.presence === lunr.Query.presence.PROHIBITED)
        continue;
      for (var term of index.pipeline.runString(clause.term.replace(/\*$/, ""), { fields: clause.fields })) {
        if (!Object.prototype.hasOwnProperty.call(index.invertedIndex, term))
          return null;
        words.add(index.invertedIndex[term]._index);
      }
    }
    return words.size ? words : null;
  }

  function titleIs(index, ref, words) {
    var vector = index.fieldVectors["title/" + ref];
    if (!vector)
      return false;
    var title = new Set();
    for (var i = 0; i < vector.elements.length; i += 2)
      title.add(vector.elements[i]);
    if (title.size !== words.size)
      return false;
    for (var word of title)
      if (!words.has(word))
        return false;
    return true;
  }

  /* The query's words as Material reads them for its "Missing:" line: each clause's term without its wildcards,
   * stop words left out. */
  function wordsToFind(index, text) {
    var query = new lunr.Query(index.fields);
    new lunr.QueryParser(text, query).parse();
    return query.clauses
      .filter(function (clause) { return clause.presence !== lunr.Query.presence.PROHIBITED; })
      .map(function (clause) { return clause.term.replace(/^\*|\*$/g, ""); })
      .filter(function (word) { return word && lunr.stopWordFilter(word); });
  }

  function hasEvery(result, words) {
    var terms = Object.keys(result.matchData.metadata);
    return words.every(function (word) {
      return terms.some(function (term) { return term.startsWith(word); });
    });
  }

  lunr.Index.prototype.search = function (text) {
    var results = search.call(this, text);
    if (!results.length)
      return results;
    /* Material multiplies each score by at most 5 (a page rather than a section, every word found), so ten
     * times the top score puts a result above all those without the bonus; sections ("page#heading") are never
     * the titled page */
    var top = results[0].score * 10;
    var toFind = wordsToFind(this, text);
    var words = queryWords(this, text);
    for (var result of results) {
      if (hasEvery(result, toFind))
        result.score += top;
      if (words && result.ref.indexOf("#") < 0 && titleIs(this, result.ref, words))
        result.score += 2 * top;
    }
    return results.sort(function (a, b) { return b.score - a.score; });
  };
})(self.lunr);
