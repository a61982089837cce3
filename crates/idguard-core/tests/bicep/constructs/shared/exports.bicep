@export()
var roles = {
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
  contributor: contributorId
}

var contributorId = 'b24988ac-6180-42a0-ab88-20f7382dd24c'

@export()
func roleId(guid string) string => subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid(guid))

func roleGuid(guid string) string => toLower(guid)

@export()
type principal = {
  id: string
}
