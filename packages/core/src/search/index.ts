export { MESSAGE_SEARCH_DIALOGS, type MessageSearchPage, searchMessages } from "./messages";
export { PEOPLE_SEARCH_RESULTS, type PersonHit, searchPeople } from "./people";
