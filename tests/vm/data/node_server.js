// Run by Debian's node in the guest (tests/vm/test_debian_programs.py): an
// HTTP server on port 8080 whose answer holds what a child process printed,
// a JSON round trip and a timer; it says "listening" when ready.
const http = require('http');
const { execSync, spawn } = require('child_process');
const child = execSync('echo from a child process').toString().trim();
let count = 0;
const srv = http.createServer((req, res) => {
	count += 1;
	if (req.url === '/json') {
		res.setHeader('Content-Type', 'application/json');
		res.end(JSON.stringify({ child, count, sum: [1, 2, 3].reduce((a, b) => a + b) }) + '\n');
	} else if (req.url === '/spawn') {
		const p = spawn('sh', ['-c', 'echo spawned; exit 7']);
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.on('close', (code) => res.end(out + 'exit ' + code + '\n'));
	} else {
		setTimeout(() => res.end('hello from node\n'), 10);
	}
});
srv.listen(8080, () => console.log('listening'));
