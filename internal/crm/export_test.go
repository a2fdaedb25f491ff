package crm

// ClientOwned exposes the tables a merge moves, for the test that holds
// the list to the catalog.
var ClientOwned = clientOwned
