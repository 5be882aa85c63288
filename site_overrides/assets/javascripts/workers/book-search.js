/* Material's search worker, with one rule added to its ranking: the page whose title is the query, word for
 * word, comes first.
 *
 * Material appends a wildcard to every word of a query ("north" → "north*"), and Lunr scores each word a
 * wildcard reaches by its rarity: "North Korea" found first the pages with the rarer "Northeast" or "Korean" in
 * their titles, or with "North Korea" in their titles and their text, and not the page of North Korea, whose
 * title is nothing but those words. The pages found stay the same; only that page moves up.
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

  lunr.Index.prototype.search = function (text) {
    var results = search.call(this, text);
    var words = results.length && queryWords(this, text);
    if (!words)
      return results;
    /* Material multiplies each score by at most 5 (a page rather than a section, every word found), so ten
     * times the top score puts the page above all others; sections ("page#heading") are left as they are */
    var top = results[0].score * 10;
    for (var result of results)
      if (result.ref.indexOf("#") < 0 && titleIs(this, result.ref, words))
        result.score += top;
    return results.sort(function (a, b) { return b.score - a.score; });
  };
})(self.lunr);
