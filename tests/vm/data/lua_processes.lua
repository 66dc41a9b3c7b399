-- Run by Debian's lua5.4 in the guest and on the host
-- (tests/vm/test_debian_programs.py): the outputs must be the same.
local t = {} for i = 1, 5 do t[#t + 1] = i * i end
print("squares: " .. table.concat(t, " "))
local p = io.popen("echo from a child; exit 3")
print("popen: " .. p:read("l")); print("close:", p:close())
print("execute:", os.execute("exit 5"))
local f = io.open("/tmp/lua.txt", "w") f:write("abc\n") f:close()
print("file: " .. io.open("/tmp/lua.txt"):read("a"):gsub("\n", ""))
print(string.format("%5.2f", math.pi))
