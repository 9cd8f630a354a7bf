use std::time::Instant;
use ndarray::Array2;
use prism::sim::kernel::{self, Part};
fn cpu() -> f64 { std::fs::read_to_string("/proc/thread-self/schedstat").unwrap().split_whitespace().next().unwrap().parse::<f64>().unwrap()*1e-9 }
fn best(mut f: impl FnMut(), reps: usize) -> f64 {
    f();
    let mut b = f64::INFINITY;
    for _ in 0..reps { let t = Instant::now(); f(); b = b.min(t.elapsed().as_secs_f64()); }
    b
}
fn best_cpu(mut f: impl FnMut(), _reps: usize) -> f64 {
    f();
    let t = cpu(); let w = Instant::now(); let mut n = 0;
    while w.elapsed().as_secs_f64() < 1.0 { f(); n += 1; }
    (cpu()-t)/n as f64
}
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() > 1 {
        let a: Vec<usize> = args[1..5].iter().map(|x| x.parse().unwrap()).collect();
        steps(a[0], a[1], a[2], a[3], args.get(5).map_or("euler", |s| s.as_str()));
        return;
    }
    let isa = kernel::isa().unwrap();
    let pool1 = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let pool2 = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    // L1-resident: m=14, n=16, k=256 repeated via gemm of 14 x 256 x 16 (includes packing)
    let shapes = [(14usize,256usize,16usize,Part::Full),(168,256,512,Part::Full),(1000,1000,1000,Part::Full),(500,1000,1000,Part::Full),(500,500,1000,Part::Full),(500,1000,500,Part::Upper),(100,2000,100,Part::Upper),(100,100,2000,Part::Full),(2000,2000,2000,Part::Full)];
    for (m,k,n,part) in shapes {
        let a = Array2::from_shape_fn((m,k), |(i,j)| ((i*7+j*3)%11) as f64);
        let b = Array2::from_shape_fn((k,n), |(i,j)| ((i*5+j*3)%13) as f64);
        let mut c = Array2::<f64>::zeros((m,n));
        let fl = 2.0*(m*n*k) as f64 * if part==Part::Upper {0.5} else {1.0};
        let reps = ((3e9/fl) as usize).clamp(3, 2000);
        let t1c = pool1.install(|| best_cpu(|| kernel::gemm(isa,1.0,a.view(),b.view(),0.0,c.view_mut(),part), reps));
        let t1 = pool1.install(|| best(|| kernel::gemm(isa,1.0,a.view(),b.view(),0.0,c.view_mut(),part), reps));
        let t2 = pool2.install(|| best(|| kernel::gemm(isa,1.0,a.view(),b.view(),0.0,c.view_mut(),part), reps));
        println!("{m}x{k}x{n} {part:?}: 1t cpu-time {:.1} GF/s  1t {:.1} GF/s  2t {:.1} GF/s", fl/t1c/1e9, fl/t1/1e9, fl/t2/1e9);
    }
}
#[allow(dead_code)]
pub fn steps(p: usize, h: usize, n: usize, k: usize, integ: &str) {
    use prism::sim::{engine_for, Integrator, SimParams};
    let mut params = SimParams::new(p, h, 1.0 / p as f64, 1.0).with_n(Some(n));
    params.integrator = if integ == "rk4" { Integrator::Rk4 } else { Integrator::Euler };
    let mut eng = engine_for(&params, 0).unwrap();
    let dt = params.default_dt();
    eng.step(params.integrator, dt, false);
    let t = Instant::now();
    for _ in 0..k { eng.step(params.integrator, dt, false); }
    println!("{p} {h} {n}: {:.3e} s/step", t.elapsed().as_secs_f64() / k as f64);
}
