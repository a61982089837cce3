// The playground's "Load sample": a subscription-scope template that gets
// several identity design points wrong at once. Also used by the tests.

export const SAMPLE_TEMPLATE = `{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "workloadName": { "type": "string", "defaultValue": "orders" },
    "location": { "type": "string", "defaultValue": "westeurope" }
  },
  "variables": {
    "resourceGroupName": "[format('rg-{0}-prod', parameters('workloadName'))]",
    "identityName": "[format('{0}-identity', parameters('workloadName'))]",
    "identityId": "[resourceId(variables('resourceGroupName'), 'Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))]"
  },
  "resources": [
    {
      "type": "Microsoft.Resources/resourceGroups",
      "apiVersion": "2022-09-01",
      "name": "[variables('resourceGroupName')]",
      "location": "[parameters('location')]"
    },
    {
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "identity",
      "resourceGroup": "[variables('resourceGroupName')]",
      "dependsOn": [
        "[subscriptionResourceId('Microsoft.Resources/resourceGroups', variables('resourceGroupName'))]"
      ],
      "properties": {
        "mode": "Incremental",
        "expressionEvaluationOptions": { "scope": "outer" },
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "resources": [
            {
              "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
              "apiVersion": "2023-01-31",
              "name": "[variables('identityName')]",
              "location": "[parameters('location')]"
            }
          ]
        }
      }
    },
    {
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "[guid(subscription().id, variables('identityName'), 'contributor')]",
      "dependsOn": [
        "[resourceId('Microsoft.Resources/deployments', 'identity')]"
      ],
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
        "principalId": "[reference(variables('identityId'), '2023-01-31').clientId]"
      }
    }
  ]
}
`;

/** A policy to start from in the Policy tab. */
export const SAMPLE_POLICY = `{
  // Rule levels: "error", "warning", "info" or "off".
  "rules": {}
}
`;

// The Bicep sample: the same mistakes written in Bicep (one file, so the
// page needs no module): a Contributor assignment at the subscription, a
// client ID used as a principal ID, no principalType, no tags.
export const SAMPLE_BICEP = `targetScope = 'subscription'

param workloadName string = 'orders'
param location string = 'westeurope'

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'rg-\${workloadName}-prod'
  location: location
}

resource contributor 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  name: 'b24988ac-6180-42a0-ab88-20f7382dd24c'
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, workloadName, 'contributor')
  properties: {
    roleDefinitionId: contributor.id
    principalId: reference(resourceId(rg.name, 'Microsoft.ManagedIdentity/userAssignedIdentities', '\${workloadName}-identity'), '2023-01-31').clientId
  }
}
`;
