var prefix = 'app'
var name = '${prefix}-{literal}-${toLower('X')}'
var multi = '''
line one ${not a hole}
'''
var indexes = [for (x, i) in ['a', 'b']: '${x}${i}']
var objects = [for x in range(0, 2): {
  value: x
}]
var resourceGroup = 'shadowed'
var rgName = az.resourceGroup().name
var both = sys.concat(resourceGroup, rgName)
var safe = objects[?5].?value ?? 'none'
var last = indexes[^1]
var notNull = objects[0]!.value
var lambdas = map(filter(indexes, x => x != 'a0'), (y, i) => '${y}-${i}')
var spreadObject = { a: 1, ...{ b: 2 }, c: 3 }
var spreadArray = [1, ...[2, 3], 4]
var ops = [
  1 + 2 - 3 * 4 / 5 % 6
  1 < 2 && 2 <= 3 || 3 > 4 && 4 >= 5
  'a' == 'b' || 'a' != 'b' || 'a' =~ 'A' || 'a' !~ 'B'
  true ? 'yes' : 'no'
  -count
  !true
]
var count = 3
var nameOfVar = nameof(prefix)
var anyValue = any('x')
var big = 9223372036854775807

func greet(who string) string => 'Hello, ${who}!'
func twice(n int) int => n * 2

output greeting string = greet(name)
output doubled int = twice(count)
output loop array = [for i in range(0, 2): i * 2]
@secure()
output secret string = name
var bracketLiteral = '[not an expression'
var bracketEscaped = '[looks like one]'
