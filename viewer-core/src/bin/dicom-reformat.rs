//! `dicom-reformat DIR --plane axial|coronal|sagittal --position-mm P [--slab-mm T --mode
//! mip|minip|avg] [--trilinear] --raw OUT`: reformats the image series of a folder with
//! viewer-core's volume and reformat code (those the viewer uses), and prints one JSON line
//! with the plane's geometry: `origin` (patient mm of the first sample's centre),
//! `row_direction` and `column_direction` (direction cosines, as Image Orientation (Patient)),
//! `spacing` (mm, [between rows, between columns], as Pixel Spacing), `rows`, `columns`, and
//! the counts of samples `missing` (beside a slice absent from the series) and `outside` (off
//! the volume). OUT receives the samples, row by row, as little-endian i32 modality values
//! (rescale applied); a missing or outside sample is written as -2147483648.
//!
//! P is the patient z (axial), y (coronal) or x (sagittal) coordinate, in mm, of a point the
//! plane passes through. An oblique plane: `--plane oblique --point-mm X,Y,Z --row-direction
//! X,Y,Z --column-direction X,Y,Z` (unit, orthogonal). Sampling is nearest unless
//! `--trilinear`; a plane's samples are as fine as the volume's finest spacing, or
//! `--spacing-mm S`. A folder that makes no volume exits with status 1 and the reason.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dicom_dictionary_std::tags;
use viewer_core::file::DicomFile;
use viewer_core::reformat::{
    plane_through, reformat, standard_plane, Interpolation, Orientation, Sample, Slab, SlabMode,
    Volume,
};
use viewer_core::volume::{modality_values, SliceGeometry, VolumeGeometry};
use viewer_core::Limits;

const USAGE: &str = "usage: dicom-reformat DIR --plane axial|coronal|sagittal --position-mm P \
[--slab-mm T --mode mip|minip|avg] [--trilinear] [--spacing-mm S] --raw OUT\n       \
dicom-reformat DIR --plane oblique --point-mm X,Y,Z --row-direction X,Y,Z \
--column-direction X,Y,Z [...] --raw OUT";

#[derive(Default)]
struct Request {
    dir: Option<PathBuf>,
    plane: Option<String>,
    position_mm: Option<f64>,
    point_mm: Option<[f64; 3]>,
    row_direction: Option<[f64; 3]>,
    column_direction: Option<[f64; 3]>,
    slab_mm: Option<f64>,
    mode: Option<SlabMode>,
    trilinear: bool,
    spacing_mm: Option<f64>,
    raw: Option<PathBuf>,
}

fn triple(text: &str) -> Result<[f64; 3], String> {
    let values: Vec<f64> = text
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("not a number: {v}"))
        })
        .collect::<Result<_, _>>()?;
    <[f64; 3]>::try_from(values).map_err(|_| format!("three numbers expected: {text}"))
}

fn parse(args: Vec<String>) -> Result<Request, String> {
    let mut r = Request::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        let number = |v: String| {
            v.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("not a number: {v}"))
        };
        match arg.as_str() {
            "--plane" => r.plane = Some(value()?),
            "--position-mm" => r.position_mm = Some(number(value()?)?),
            "--point-mm" => r.point_mm = Some(triple(&value()?)?),
            "--row-direction" => r.row_direction = Some(triple(&value()?)?),
            "--column-direction" => r.column_direction = Some(triple(&value()?)?),
            "--slab-mm" => r.slab_mm = Some(number(value()?)?),
            "--spacing-mm" => r.spacing_mm = Some(number(value()?)?),
            "--mode" => {
                r.mode = Some(match value()?.as_str() {
                    "mip" => SlabMode::Maximum,
                    "minip" => SlabMode::Minimum,
                    "avg" => SlabMode::Average,
                    other => return Err(format!("unknown mode {other}")),
                })
            }
            "--trilinear" => r.trilinear = true,
            "--raw" => r.raw = Some(PathBuf::from(value()?)),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => r.dir = Some(PathBuf::from(arg)),
        }
    }
    Ok(r)
}

/// The folder's image slices with their modality values: one series only.
fn read_series(dir: &Path) -> Result<Vec<(SliceGeometry, Vec<i32>)>, String> {
    let limits = Limits::default();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder: {e}"))?;
    let mut series_uid: Option<String> = None;
    let mut slices = Vec::new();
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.is_file()) {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        // Files that are no image (reports, DICOMDIR, other files) are passed over.
        let Ok(file) = DicomFile::parse(&bytes, &limits) else {
            continue;
        };
        let ds = file.attributes();
        let Some(geometry) = SliceGeometry::from_dataset(&ds) else {
            continue;
        };
        let uid = ds.string(tags::SERIES_INSTANCE_UID).unwrap_or_default();
        match &series_uid {
            None => series_uid = Some(uid),
            Some(first) if *first != uid => {
                return Err("the folder holds several series: give one series' folder".into())
            }
            Some(_) => {}
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let frame = file
            .decode(0, &limits)
            .map_err(|e| format!("{name}: {e}"))?;
        let slope = ds.number(tags::RESCALE_SLOPE).unwrap_or(1.0);
        let intercept = ds.number(tags::RESCALE_INTERCEPT).unwrap_or(0.0);
        let values = modality_values(&frame, slope, intercept)
            .ok_or_else(|| format!("{name}: not a grey image"))?;
        slices.push((geometry, values));
    }
    Ok(slices)
}

fn run(request: &Request) -> Result<(), String> {
    let dir = request.dir.as_ref().ok_or(USAGE)?;
    let raw = request.raw.as_ref().ok_or(USAGE)?;
    let slices = read_series(dir)?;
    let geometries: Vec<SliceGeometry> = slices.iter().map(|(g, _)| g.clone()).collect();
    let geometry = VolumeGeometry::from_slices(&geometries).map_err(|e| e.to_string())?;
    let mut volume = Volume::new(geometry).map_err(|e| e.to_string())?;
    for slot in 0..volume.geometry.slots() {
        if let Some(source) = volume.geometry.sources[slot] {
            volume
                .put(slot, &slices[source].1)
                .map_err(|e| e.to_string())?;
        }
    }
    let g = &volume.geometry;
    let plane = match request.plane.as_deref() {
        Some("oblique") => {
            let (Some(point), Some(row), Some(column)) = (
                request.point_mm,
                request.row_direction,
                request.column_direction,
            ) else {
                return Err(
                    "an oblique plane needs --point-mm, --row-direction and --column-direction"
                        .into(),
                );
            };
            let unit =
                |v: [f64; 3]| (v.iter().map(|x| x * x).sum::<f64>().sqrt() - 1.0).abs() < 1e-3;
            let dot: f64 = (0..3).map(|i| row[i] * column[i]).sum();
            if !(unit(row) && unit(column) && dot.abs() < 1e-3) {
                return Err("the directions must be unit and orthogonal".into());
            }
            plane_through(g, row, column, point, request.spacing_mm)
        }
        Some(name) => {
            let orientation = match name {
                "axial" => Orientation::Axial,
                "coronal" => Orientation::Coronal,
                "sagittal" => Orientation::Sagittal,
                other => return Err(format!("unknown plane {other}")),
            };
            let position = request.position_mm.ok_or("--position-mm is needed")?;
            let (row, column) = orientation.directions();
            let mut point = g.patient_from_voxel([0.0; 3]);
            point[orientation.axis()] = position;
            match request.spacing_mm {
                Some(_) => plane_through(g, row, column, point, request.spacing_mm),
                None => standard_plane(g, orientation, position),
            }
        }
        None => return Err(USAGE.into()),
    }
    .ok_or("the plane cannot be sampled (spacing, or too many samples)")?;
    if request.spacing_mm.is_some_and(|s| s <= 0.0) || request.slab_mm.is_some_and(|t| t <= 0.0) {
        return Err("--spacing-mm and --slab-mm must be positive".into());
    }
    let slab = match (request.slab_mm, request.mode) {
        (Some(thickness_mm), mode) => Some(Slab {
            thickness_mm,
            mode: mode.unwrap_or(SlabMode::Maximum),
        }),
        (None, Some(_)) => return Err("--mode needs --slab-mm".into()),
        (None, None) => None,
    };
    let interpolation = if request.trilinear {
        Interpolation::Trilinear
    } else {
        Interpolation::Nearest
    };
    let samples = reformat(&volume, &plane, interpolation, slab);
    let (mut missing, mut outside) = (0usize, 0usize);
    let mut bytes = Vec::with_capacity(samples.len() * 4);
    for s in &samples {
        let v = match s {
            Sample::Value(v) => *v,
            Sample::Missing => {
                missing += 1;
                i32::MIN
            }
            Sample::Outside => {
                outside += 1;
                i32::MIN
            }
        };
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(raw, &bytes).map_err(|e| format!("cannot write {}: {e}", raw.display()))?;
    let line = serde_json::json!({
        "origin": plane.origin_mm,
        "row_direction": plane.row_direction,
        "column_direction": plane.column_direction,
        "spacing": plane.spacing_mm,
        "rows": plane.rows,
        "columns": plane.columns,
        "slices": volume.geometry.slots(),
        "tilt_degrees": volume.geometry.tilt_degrees(),
        "missing": missing,
        "outside": outside,
    });
    println!("{line}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match parse(args).and_then(|r| run(&r)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("dicom-reformat: {reason}");
            ExitCode::FAILURE
        }
    }
}
