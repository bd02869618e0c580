/** The authenticated caller of a messaging operation (one user, one of its clients). */
export type Actor = { userId: string; clientId: string };
