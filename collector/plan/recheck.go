package plan

// RecheckAfter is how long a refusal of an undocumented query option is
// remembered before it is asked again: the day a workspace is listed after
// Graph did not honour $filter, which the activity read's $expand shares.
const RecheckAfter = listingMemory
