// Grants a role to a principal on the whole subscription.
targetScope = 'subscription'

@description('Object (principal) ID of the identity to grant the role to.')
param principalId string

@description('Role definition ID (a GUID).')
param roleId string

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
  }
}
