// A small Bicep project shared by the package's and the language server's
// tests: main.bicep uses modules/identity.bicep's client ID as a principal
// ID (MI401 on line 13); the module's identity lacks tags (MI202, line 7).

export const IDENTITY = `param name string
param tags object = {}

resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: 'westeurope'
  tags: tags
}

output principalId string = uami.properties.principalId
output clientId string = uami.properties.clientId
`;

export const MAIN = `module id './modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-orders-prod'
    tags: { owner: 'team' }
  }
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, 'x')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')
    principalId: id.outputs.clientId
    principalType: 'ServicePrincipal'
  }
}
`;
