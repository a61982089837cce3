import { roles, roleId, principal } from './shared/exports.bicep'
import * as shared from './shared/exports.bicep'
import { avmType } from 'br/public:avm/utl/types/avm-common-types:0.6.1'

param who principal

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, who.id, roles.reader)
  properties: {
    principalId: who.id
    roleDefinitionId: roleId(roles.contributor)
    principalType: 'ServicePrincipal'
  }
}

output viaNamespace string = shared.roleId(shared.roles.reader)
output rolesAgain object = shared.roles
