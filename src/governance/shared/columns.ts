/** The columns every governance record is read with, named as the domain names them. */
export const META_COLUMNS = ['id', 'organisation_id as organisationId', 'version', 'created_at as createdAt', 'updated_at as updatedAt'] as const;
